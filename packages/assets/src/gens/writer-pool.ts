import os from "node:os";
import { Worker } from "node:worker_threads";

/**
 * The worker's code, as plain CommonJS evaluated by `new Worker(..., { eval: true })`: the same
 * text runs from the TypeScript sources and from the esbuild bundle, with no second file to
 * ship or locate. For each file of a message, in order: write the temp file (creating the
 * directory on the first ENOENT) and rename it over the target. The first failure removes its
 * temp file, is reported, and leaves the files after it unwritten.
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const fs = require("node:fs");
const path = require("node:path");
function write(file, temp, content) {
  try {
    fs.writeFileSync(temp, content, "utf8");
  } catch (err) {
    if (err.code !== "ENOENT") throw err;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temp, content, "utf8");
  }
  fs.renameSync(temp, file);
}
parentPort.on("message", ({ id, files }) => {
  for (const { file, temp, content } of files) {
    try {
      write(file, temp, content);
    } catch (err) {
      let cleanup;
      try {
        fs.rmSync(temp, { force: true });
      } catch (rmErr) {
        cleanup = rmErr.message;
      }
      const { message, code, errno, syscall } = err;
      parentPort.postMessage({ id, error: { message, code, errno, syscall, path: err.path, cleanup } });
      return;
    }
  }
  parentPort.postMessage({ id });
});
`;

interface WorkerError {
  message: string;
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
  /** Set when the temp file could not be removed either. */
  cleanup?: string;
}

/** One file of a batch: `content` goes to `temp`, which is then renamed over `file`. */
export interface PendingFile {
  file: string;
  temp: string;
  content: string;
}

interface Pending {
  resolve(): void;
  reject(err: Error): void;
}

/** Rebuilds the fs error the worker saw, so callers can branch on `code` as with a local call. */
function toError(e: WorkerError): NodeJS.ErrnoException {
  const message = e.cleanup ? `${e.message} (and its temp file stayed: ${e.cleanup})` : e.message;
  return Object.assign(new Error(message), {
    code: e.code,
    errno: e.errno,
    syscall: e.syscall,
    path: e.path,
  });
}

class WriterThread {
  readonly pending = new Map<number, Pending>();
  readonly #worker: Worker;
  #nextId = 0;

  constructor(onExit: (thread: WriterThread) => void) {
    // No inherited --import hooks (tsx): the worker needs only node:fs.
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], env: {} });
    this.#worker.unref();
    this.#worker.on("message", (msg: { id: number; error?: WorkerError }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0) this.#worker.unref();
      if (msg.error) p.reject(toError(msg.error));
      else p.resolve();
    });
    const fail = (err: Error) => {
      onExit(this);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.#worker.on("error", fail);
    this.#worker.on("exit", (code) => fail(new Error(`the file-writer thread exited (code ${code})`)));
  }

  write(files: readonly PendingFile[]): Promise<void> {
    const id = this.#nextId++;
    // A pending write keeps the process alive, as a pending fs call would.
    if (this.pending.size === 0) this.#worker.ref();
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, files });
    });
  }

  terminate(): Promise<number> {
    return this.#worker.terminate();
  }
}

/**
 * Atomic writes (temp file + rename) run on worker threads. Creating a file is mostly kernel
 * time, which on some file systems reaches a millisecond per file; a generation run writes three
 * files per partition at up to 64 partitions in flight, and doing that on the event loop would
 * stall every other step's HTTP and bookkeeping. The threads start on first use and do not keep
 * the process alive when idle.
 */
export class WriterPool {
  readonly size: number;
  /** Batches queued on every thread before the pool starts another one. */
  readonly backlog: number;
  readonly #threads: WriterThread[] = [];

  /**
   * At most `size` threads. The first starts with the first write; another starts only once
   * every running thread has `backlog` batches queued, so a fast file system keeps one thread
   * (sparing the event loop's CPU) and a slow one gets more.
   */
  constructor(size: number, opts: { backlog?: number } = {}) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`writer pool size must be a positive integer, got ${size}`);
    }
    this.size = size;
    this.backlog = opts.backlog ?? 0;
  }

  /**
   * Writes the files in order, each through its temp file, in one round trip to a thread (one
   * hop of the event loop instead of one per file). Rejects with the first fs error; the files
   * after a failed one are not written.
   */
  write(files: readonly PendingFile[]): Promise<void> {
    return this.#pick().write(files);
  }

  /** How many threads are running now. */
  get threads(): number {
    return this.#threads.length;
  }

  /** Stops the threads (pending writes are rejected); the pool restarts them on its next write. */
  async close(): Promise<void> {
    const threads = this.#threads.splice(0);
    await Promise.all(threads.map((t) => t.terminate()));
  }

  #pick(): WriterThread {
    let best: WriterThread | undefined;
    for (const t of this.#threads) if (best === undefined || t.pending.size < best.pending.size) best = t;
    if (
      best !== undefined &&
      (best.pending.size < Math.max(1, this.backlog) || this.#threads.length >= this.size)
    ) {
      return best;
    }
    const thread = new WriterThread((gone) => {
      const i = this.#threads.indexOf(gone);
      if (i >= 0) this.#threads.splice(i, 1);
    });
    this.#threads.push(thread);
    return thread;
  }
}

/**
 * The process's pool for generation writes. One thread while it keeps up; a second (on a
 * machine with a core to spare for it) once 4 batches wait on the first, as when creating a
 * file costs most of a millisecond. On 2 cores, two threads from the start took CPU from the
 * event loop when files were cheap; one thread alone fell behind when they were not
 * (bench/generation.bench.ts, docs/benchmarks.md).
 */
export const defaultWriterPool = new WriterPool(os.availableParallelism() > 1 ? 2 : 1, {
  backlog: 4,
});
