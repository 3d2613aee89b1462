/**
 * One measured process of the queue executor benches (queue-generation.bench.ts,
 * queue-executor.bench.ts), spawned by them:
 *   --queue DEFS HOME URL CONCURRENCY              a worker: runWorker({ once: true }) on openQueueStorage(URL)
 *   --in-process DEFS HOME URL CONCURRENCY SELECTION   materialize SELECTION over every partition, on PostgresStorage(URL)
 * DD_DATA_ROOT comes from the environment. The process loads the definitions and opens the
 * instance, prints {"ready":true}, waits for a line on stdin (so that start-up is not timed and
 * the queue's jobs exist before a `once` worker looks), then runs and prints its Sample as JSON.
 * Every statement on the instance's connection is counted and timed by operation (the connection
 * is synchronous: its time is event-loop time), and so are graphile-worker's own statements
 * (its pg pool, in this thread).
 */
import { createInterface } from "node:readline";
import pg from "pg";
import * as core from "../packages/core/src/index.ts";
import { PostgresStorage } from "../packages/postgres/src/index.ts";
import { openQueueStorage, runWorker } from "../packages/queue/src/index.ts";
import { type ChildSample, instrumentConnection } from "./queue-bench-setup.ts";

/** Counts the statements of every pg client in this thread (graphile-worker's pool). */
function countPgStatements(): { n: number } {
  const count = { n: 0 };
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    count.n++;
    return original.apply(this, args);
  };
  return count;
}

async function waitForGo(): Promise<void> {
  console.log(JSON.stringify({ ready: true }));
  await new Promise<void>((resolve) =>
    createInterface({ input: process.stdin }).once("line", () => resolve()),
  );
}

async function main(): Promise<void> {
  const [mode, defsFile, home, url, concurrencyArg, selection] = process.argv.slice(2);
  const concurrency = Number(concurrencyArg);
  if (mode !== "--queue" && mode !== "--in-process") throw new Error(`unknown mode ${mode}`);
  const defs = await core.loadDefinitions(defsFile);
  const storage = mode === "--queue" ? openQueueStorage(url) : new PostgresStorage(url);
  const instance = core.openInstance(home, { storage });
  try {
    const sql = instrumentConnection(storage);
    const graphile = countPgStatements();
    await waitForGo();
    const goAt = Date.now();
    const cpu = process.cpuUsage();
    const elu = performance.eventLoopUtilization();
    let result: Pick<ChildSample, "steps" | "runId" | "startedAt">;
    if (mode === "--queue") {
      let startedAt: number | undefined;
      const summary = await runWorker({
        defs,
        instance,
        concurrency,
        once: true,
        onEvent: (event) => {
          if (event.type === "started") startedAt = Date.now();
        },
      });
      if (summary.ended !== "drained") throw new Error(`worker ended ${summary.ended}`);
      result = {
        startedAt,
        steps: {
          succeeded: summary.succeeded,
          failed: summary.failed,
          skipped: summary.skipped,
          other: summary.doneElsewhere + summary.requeued,
        },
      };
    } else {
      const summary = await core.materialize(defs, {
        instance,
        selection,
        partitions: "all",
        concurrency,
        logLevel: "warn",
      });
      result = {
        runId: summary.runId,
        steps: { succeeded: summary.succeeded, failed: summary.failed, skipped: summary.skipped, other: 0 },
      };
    }
    const returnedAt = Date.now();
    const { user, system } = process.cpuUsage(cpu);
    const sample: ChildSample = {
      goAt,
      returnedAt,
      ...result,
      cpuMs: (user + system) / 1000,
      busyMs: performance.eventLoopUtilization(elu).active,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      sql,
      graphileStatements: graphile.n,
    };
    console.log(JSON.stringify(sample));
  } finally {
    instance.close();
  }
}

await main();
