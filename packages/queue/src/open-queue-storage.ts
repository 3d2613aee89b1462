import { PostgresStorage, type PostgresStorageOptions, parsePostgresUrl } from "@daydream/postgres";
import { workerSchemaOf } from "./steps/jobs.ts";
import { settleOnAppend } from "./steps/settle.ts";

/**
 * The instance storage a worker records steps with: each batch of events also settles the steps
 * of queued runs it finishes and enqueues their downstream, in the same transaction.
 */
export function openQueueStorage(url: string, opts: PostgresStorageOptions = {}): PostgresStorage {
  return new PostgresStorage(url, {
    ...opts,
    afterAppend: settleOnAppend(workerSchemaOf(parsePostgresUrl(url))),
  });
}
