import { once } from "node:events";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { validatePartitionKeys } from "../../../definitions/partition-key.ts";
import { StorageError } from "../../../errors.ts";
import type { StoragePartitionWriter } from "../../types.ts";
import { assertPartitionsName } from "../validation.ts";
import {
  type KeyChunk,
  keyChunks,
  SQL_ADD_PARTITIONS_JSON,
  SQL_LAST_POSITION,
} from "./dynamic-partitions.ts";
import { BUSY_TIMEOUT_MS, toStorageError } from "./sqlite-errors.ts";

/**
 * The writer thread, as plain CommonJS evaluated by `new Worker(..., { eval: true })` (the engine
 * may run from TypeScript sources or a bundle; neither can be a worker's entry file). Its own
 * connection adds each batch in one IMMEDIATE transaction, positions handed out under the write
 * lock, exactly as DynamicPartitionQueries.add does.
 */
const WRITER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driverPath);
const db = new Database(workerData.dbPath, { fileMustExist: true, timeout: workerData.busyTimeoutMs });
db.pragma("synchronous = NORMAL");
// Room for both key indexes of a big batch: with the default 2 MB cache, the transaction spills
// pages to the WAL before it commits (about a third slower at 80,000 keys).
db.pragma("cache_size = -65536");
const insert = db.prepare(workerData.insertSql);
const lastPosition = db.prepare(workerData.lastPositionSql).pluck();
const add = db.transaction((name, chunks) => {
  let base = (lastPosition.get(name) ?? 0) + 1;
  let added = 0;
  for (const chunk of chunks) {
    added += insert.run(name, base, chunk.json).changes;
    base += chunk.count;
  }
  return added;
});
parentPort.on("message", (message) => {
  if (message.close) {
    db.close();
    parentPort.postMessage({ closed: true });
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage({ id: message.id, added: add.immediate(message.name, message.chunks) });
  } catch (err) {
    parentPort.postMessage({ id: message.id, error: { message: String(err && err.message), code: err && err.code } });
  }
});
`;

type Reply =
  | { id: number; added: number }
  | { id: number; error: { message: string; code?: string } }
  | { closed: true };

interface Pending {
  name: string;
  resolve(added: number): void;
  reject(err: Error): void;
}

/**
 * SqliteStorage's partition writer: keys are validated on the caller's thread, then added by a
 * worker thread with its own connection to the same database, so that registering tens of
 * thousands of keys overlaps with the caller's own work. The thread keeps the process alive
 * only while adds are in flight.
 */
export class ThreadedPartitionWriter implements StoragePartitionWriter {
  readonly #dbPath: string;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  /** What close() waits for. */
  readonly #inFlight = new Set<Promise<number>>();
  #nextId = 0;
  #closing: Promise<void> | undefined;
  #onClosed: () => void = () => {};
  /** Set when the thread died: every later add fails with it. */
  #broken: Error | undefined;

  constructor(dbPath: string) {
    this.#dbPath = dbPath;
    this.#worker = new Worker(WRITER_SOURCE, {
      eval: true,
      execArgv: [],
      env: {},
      workerData: {
        driverPath: createRequire(import.meta.url).resolve("better-sqlite3"),
        dbPath,
        busyTimeoutMs: BUSY_TIMEOUT_MS,
        insertSql: SQL_ADD_PARTITIONS_JSON,
        lastPositionSql: SQL_LAST_POSITION,
      },
    });
    this.#worker.unref();
    this.#worker.on("message", (reply: Reply) => this.#settle(reply));
    this.#worker.on("error", (err) =>
      this.#fail(toStorageError(this.#asSqliteError(err), dbPath, "open partition writer")),
    );
    this.#worker.on("exit", (code) => {
      if (this.#pending.size > 0) {
        this.#fail(
          new StorageError(
            "partition_writer_exited",
            `the partition writer of ${dbPath} stopped (exit code ${code})`,
            {
              userError: false,
              context: { file: dbPath },
              hint: "the keys of the adds in flight may not be registered; run the step again (adds are idempotent)",
            },
          ),
        );
      }
    });
  }

  add(name: string, keys: Iterable<string>): Promise<number> {
    if (this.#closing !== undefined || this.#broken !== undefined) {
      return Promise.reject(
        this.#broken ??
          new StorageError("partition_writer_closed", `the partition writer of ${this.#dbPath} is closed`, {
            userError: false,
            context: { file: this.#dbPath, partitions: name },
            hint: "open a new writer with instance.openPartitionWriter()",
          }),
      );
    }
    assertPartitionsName(name);
    const chunks: KeyChunk[] = keyChunks(validatePartitionKeys(keys, name));
    if (chunks.length === 0) return Promise.resolve(0);
    const id = this.#nextId++;
    const added = new Promise<number>((resolve, reject) => {
      this.#pending.set(id, { name, resolve, reject });
      this.#worker.ref();
      this.#worker.postMessage({ id, name, chunks });
    });
    this.#inFlight.add(added);
    const done = () => this.#inFlight.delete(added);
    added.then(done, done);
    return added;
  }

  close(): Promise<void> {
    this.#closing ??= this.#closeWhenIdle();
    return this.#closing;
  }

  async #closeWhenIdle(): Promise<void> {
    await Promise.allSettled(this.#inFlight);
    if (this.#broken !== undefined) return;
    // Done once its connection is closed: the thread's own teardown need not be waited for.
    const closed = new Promise<void>((resolve) => {
      this.#onClosed = resolve;
    });
    this.#worker.ref();
    this.#worker.postMessage({ close: true });
    await Promise.race([closed, once(this.#worker, "exit")]);
    this.#worker.unref();
  }

  #settle(reply: Reply): void {
    if ("closed" in reply) {
      this.#onClosed();
      return;
    }
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if ("added" in reply) {
      pending.resolve(reply.added);
      return;
    }
    const cause = new Database.SqliteError(reply.error.message, reply.error.code ?? "SQLITE_ERROR");
    pending.reject(toStorageError(cause, this.#dbPath, `add dynamic partitions ${pending.name}`));
  }

  #fail(err: Error): void {
    this.#broken ??= err;
    for (const pending of this.#pending.values()) pending.reject(err);
    this.#pending.clear();
    this.#worker.unref();
  }

  /** Errors from opening the database in the thread arrive as plain objects with a code. */
  #asSqliteError(err: Error): Error {
    const code = (err as { code?: unknown }).code;
    return typeof code === "string" && code.startsWith("SQLITE_")
      ? new Database.SqliteError(err.message, code)
      : err;
  }
}
