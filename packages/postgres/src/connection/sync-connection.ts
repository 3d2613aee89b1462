import { createRequire } from "node:module";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { StorageError } from "@daydream/core";
import { type DriverError, isTransient, toStorageError } from "./pg-errors.ts";
import type { PostgresTarget } from "./postgres-url.ts";
import { WORKER_SOURCE } from "./worker-source.ts";

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

type Reply = { ok: true; rows: unknown[]; rowCount: number } | { ok: false; error: DriverError };

export interface SyncConnectionOptions {
  /** How long one statement may take before the caller gives up (default 120 s). */
  timeoutMs?: number;
  /** How long connecting may take (default 10 s). */
  connectTimeoutMs?: number;
}

const TRANSACTION_ATTEMPTS = 5;

/**
 * One PostgreSQL connection used synchronously. The engine's Storage interface is synchronous
 * (SQLite's driver is), so the pg client lives in a worker thread and each call blocks on
 * Atomics.wait until the worker has answered on a message port: one round trip per statement,
 * no change to the engine.
 */
export class SyncConnection {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly timeoutMs: number;
  private closed = false;
  private depth = 0;
  /** A transaction was opened but its BEGIN not sent yet: it travels with the first statement. */
  private beginPending = false;

  constructor(
    readonly target: PostgresTarget,
    opts: SyncConnectionOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        pgPath: createRequire(import.meta.url).resolve("pg"),
        connectionString: target.connectionString,
        applicationName: "daydream-assets",
        connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
        setupSql: `SET search_path TO "${target.schema}"`,
        port: port2,
        flag: this.signal.buffer,
      },
      transferList: [port2],
    });
    // The connection must not keep a finished command alive; close() ends it properly.
    this.worker.unref();
  }

  /** Runs one statement (or, without params, a script of several) and returns its rows. */
  query<R = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
    operation = "query",
  ): QueryResult<R> {
    const begin = this.beginPending;
    this.beginPending = false;
    const reply = this.roundTrip(
      { sql, params: params.length > 0 ? params : undefined, begin: begin || undefined },
      operation,
    );
    if (!reply.ok) throw toStorageError(reply.error, this.target, operation);
    return { rows: reply.rows as R[], rowCount: reply.rowCount };
  }

  /**
   * Runs `fn` in a transaction, retried from the start on a deadlock or serialization failure.
   * Nested calls join the outer transaction. BEGIN is sent with the first statement (one round
   * trip to the worker thread fewer per transaction, which counts on a busy machine); a
   * transaction that ran no statement sends nothing.
   */
  transaction<T>(operation: string, fn: () => T): T {
    if (this.depth > 0) return fn();
    return this.retrying(() => {
      this.beginPending = true;
      this.depth++;
      try {
        const result = fn();
        if (!this.beginPending) this.query("COMMIT", [], operation);
        return result;
      } catch (err) {
        if (!this.beginPending) this.query("ROLLBACK", [], operation);
        throw err;
      } finally {
        this.beginPending = false;
        this.depth--;
      }
    });
  }

  /**
   * Runs `fn`, whose statements each commit on their own (or join the caller's transaction),
   * retried from the start on a deadlock or serialization failure; for work that is safe
   * statement by statement and must not pay BEGIN and COMMIT round trips.
   */
  retrying<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    for (let attempt = 1; ; attempt++) {
      try {
        return fn();
      } catch (err) {
        if (!isTransient(err) || attempt >= TRANSACTION_ATTEMPTS) throw err;
      }
    }
  }

  /** Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.roundTrip({ close: true }, "close", 5_000);
    } finally {
      void this.worker.terminate();
    }
  }

  private roundTrip(request: object, operation: string, timeoutMs = this.timeoutMs): Reply {
    if (this.closed && !("close" in request)) {
      throw new StorageError("storage_closed", `PostgreSQL ${this.target.masked}: ${operation} after close`, {
        userError: false,
        hint: "open the storage again; this is a bug in the caller",
      });
    }
    Atomics.store(this.signal, 0, 0);
    this.port.postMessage(request);
    const deadline = Date.now() + timeoutMs;
    const woke = Atomics.wait(this.signal, 0, 0, timeoutMs);
    let message = receiveMessageOnPort(this.port)?.message as Reply | undefined;
    // The flag says answered but the reply is not readable yet: give it until the deadline rather
    // than declaring a live connection dead.
    while (woke !== "timed-out" && message === undefined && Date.now() < deadline) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      message = receiveMessageOnPort(this.port)?.message as Reply | undefined;
    }
    if (woke === "timed-out" || message === undefined) {
      this.closed = true;
      void this.worker.terminate();
      throw new StorageError(
        "database_timeout",
        `PostgreSQL ${this.target.masked} did not answer within ${timeoutMs / 1000} s (${operation})`,
        {
          context: { host: this.target.host, database: this.target.database, operation },
          hint: "check that the server is up and not blocked (pg_stat_activity); the connection was closed",
        },
      );
    }
    return message;
  }
}
