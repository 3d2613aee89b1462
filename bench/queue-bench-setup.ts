/**
 * What the queue executor benches share: starting a measured child (queue-bench-child.ts) that
 * waits to be told to go, reading a run's timing back from the instance, and summing the
 * children's statement counts into a per-step breakdown.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Instance } from "../packages/core/src/index.ts";
import type { PostgresStorage } from "../packages/postgres/src/index.ts";

export interface ChildSample {
  /** Date.now() when told to go, and when the run or worker returned. */
  goAt: number;
  returnedAt: number;
  /** Worker only: Date.now() when runWorker reported itself started (schema checked, graphile-worker up). */
  startedAt?: number;
  steps: { succeeded: number; failed: number; skipped: number; other: number };
  /** The in-process run's id (the worker computes steps of the enqueued run). */
  runId?: string;
  cpuMs: number;
  /** Event-loop busy time from go to return. */
  busyMs: number;
  peakRssMb: number;
  /** Statements on the instance's synchronous connection (BEGIN and COMMIT included), by operation. */
  sql: Record<string, { n: number; ms: number }>;
  /** Statements graphile-worker sent on its own pool (fetching, completing jobs). */
  graphileStatements: number;
}

/** Counts and times every statement `storage`'s connection runs, by its operation label. */
export function instrumentConnection(storage: PostgresStorage): ChildSample["sql"] {
  const sql: ChildSample["sql"] = {};
  const conn = storage.connection;
  const original = conn.query.bind(conn);
  conn.query = ((text: string, params?: unknown[], operation = "query") => {
    const label = /^(BEGIN|COMMIT|ROLLBACK)$/.test(text) ? text : operation;
    const start = performance.now();
    try {
      return original(text, params, operation);
    } finally {
      const entry = sql[label] ?? { n: 0, ms: 0 };
      entry.n++;
      entry.ms += performance.now() - start;
      sql[label] = entry;
    }
  }) as typeof conn.query;
  return sql;
}

const CHILD = path.join(import.meta.dirname, "queue-bench-child.ts");

export interface ReadyChild {
  /** Starts the measured part; resolves with the child's sample once it exits. */
  go(): Promise<ChildSample>;
}

/** Spawns queue-bench-child.ts with `args` and resolves once it has loaded and opened everything. */
export async function startChild(args: string[], env: NodeJS.ProcessEnv): Promise<ReadyChild> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], {
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  const lines: string[] = [];
  const exited = new Promise<ChildSample>((resolve, reject) => {
    child.once("close", (code, signal) => {
      const last = lines.at(-1);
      if (code !== 0 || last === undefined) {
        reject(new Error(`bench child ${args[0]} failed (${code ?? signal}):\n${stderr}`));
      } else resolve(JSON.parse(last) as ChildSample);
    });
  });
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (lines.length === 0) resolve();
      lines.push(line);
    });
    exited.catch(reject);
  });
  await ready;
  return {
    go: () => {
      child.stdin!.end("go\n");
      return exited;
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** When a run ended and when its last materialization was recorded (epoch ms, from the instance). */
export function runTimes(
  instance: Instance,
  runId: string,
): { endedAt: number; lastMaterializationAt: number } {
  const run = instance.storage.getRun(runId);
  if (run?.endedAt == null) throw new Error(`run ${runId} has not ended (${run?.status ?? "no such run"})`);
  let last = 0;
  let afterId: number | undefined;
  for (;;) {
    const events = instance.storage.getEvents(runId, { types: ["materialization"], afterId, limit: 10_000 });
    if (events.length === 0) break;
    for (const e of events) last = Math.max(last, Date.parse(e.timestamp));
    afterId = events.at(-1)!.id;
  }
  return { endedAt: Date.parse(run.endedAt), lastMaterializationAt: last };
}

/** The children's statements on the instance connection, per step, by operation, largest time first. */
export function statementBreakdown(children: ChildSample[], steps: number): string {
  const total: Record<string, { n: number; ms: number }> = {};
  for (const c of children) {
    for (const [op, { n, ms }] of Object.entries(c.sql)) {
      const entry = total[op] ?? { n: 0, ms: 0 };
      entry.n += n;
      entry.ms += ms;
      total[op] = entry;
    }
  }
  return Object.entries(total)
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([op, { n, ms }]) => `${op} ${(n / steps).toFixed(2)} x ${(ms / n).toFixed(2)} ms`)
    .join("; ");
}

/** Statements per step on the instance connection (all operations) of `children`. */
export function statementsPerStep(children: ChildSample[], steps: number): number {
  return children.reduce((sum, c) => sum + Object.values(c.sql).reduce((s, e) => s + e.n, 0), 0) / steps;
}

/** Milliseconds per step inside the instance connection's statements (event-loop time) of `children`. */
export function sqlMsPerStep(children: ChildSample[], steps: number): number {
  return children.reduce((sum, c) => sum + Object.values(c.sql).reduce((s, e) => s + e.ms, 0), 0) / steps;
}
