import { PostgresStorage, type PostgresStorageOptions, parsePostgresUrl } from "@daydream/postgres";
import { workerSchemaOf } from "./steps/jobs.ts";
import { settleOnAppend } from "./steps/settle.ts";

/** Per queue storage: assets whose successes the worker settles itself, after their checks. */
const deferredByStorage = new WeakMap<PostgresStorage, Set<string>>();

/**
 * The instance storage a worker records steps with: each batch of events also settles the steps
 * of queued runs it finishes and enqueues their downstream, in the same transaction.
 */
export function openQueueStorage(url: string, opts: PostgresStorageOptions = {}): PostgresStorage {
  const deferred = new Set<string>();
  const storage = new PostgresStorage(url, {
    ...opts,
    afterAppend: settleOnAppend(workerSchemaOf(parsePostgresUrl(url)), deferred),
  });
  deferredByStorage.set(storage, deferred);
  return storage;
}

/**
 * The assets whose successes the append hook leaves to the worker (those with blocking checks:
 * their downstream may start only once the check results are stored); undefined when the
 * storage was not opened by `openQueueStorage`.
 */
export function deferredSettlements(storage: PostgresStorage): Set<string> | undefined {
  return deferredByStorage.get(storage);
}
