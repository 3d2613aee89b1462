/**
 * Queue executor overheads (issue #12), on a throwaway local PostgreSQL, one schema per run:
 * 1. Enqueueing: enqueueRun of one trivial asset over 100,000 dynamic partitions (100,000 steps,
 *    all ready at once), timed alone. The instance already holds the queue's tables and
 *    graphile-worker's schema (an untimed enqueue of nothing installs them first: installing
 *    them is a one-off per instance), and its partitions (added untimed). Target: < 5 s.
 * 2. Per-step overhead: 1,000 steps of the same trivial asset through one worker process
 *    (runWorker once, concurrency 8), timed from the start of enqueueRun to the run's end as
 *    the instance records it; baseline: materialize of the same 1,000 steps, concurrency 8, in
 *    one process on the same server, interleaved run by run. Both measured processes start and
 *    open the instance before the clock starts (see queue-bench-child.ts).
 * Medians of RUNS runs. The breakdown counts the statements on the instance's connection per
 * step by operation (each a synchronous round trip that holds the event loop) and
 * graphile-worker's own statements.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Instance, loadDefinitions, openInstance } from "../packages/core/src/index.ts";
import { PostgresStorage } from "../packages/postgres/src/index.ts";
import { enqueueRun } from "../packages/queue/src/index.ts";
import { startBenchPostgres } from "./postgres-server.ts";
import {
  type ChildSample,
  instrumentConnection,
  median,
  runTimes,
  sqlMsPerStep,
  startChild,
  statementBreakdown,
  statementsPerStep,
} from "./queue-bench-setup.ts";
import { items } from "./queue-trivial-definitions.ts";

const DEFS = path.join(import.meta.dirname, "queue-trivial-definitions.ts");
const ENQUEUE_STEPS = 100_000;
const ENQUEUE_RUNS = 3;
const ENQUEUE_TARGET_MS = 5_000;
const STEPS = 1_000;
const CONCURRENCY = 8;
const RUNS = 3;

const defs = await loadDefinitions(DEFS);
const keysOf = (n: number) => Array.from({ length: n }, (_, i) => `item_${i.toString(36).padStart(4, "0")}`);

/** A fresh instance in the schema `url` names, the queue installed, `partitions` keys added (all untimed). */
async function freshInstance(home: string, url: string, partitions: number): Promise<Instance> {
  const instance = openInstance(home, { storage: new PostgresStorage(url) });
  // With no partitions yet the run has no step: this only installs the queue's schema.
  const empty = await enqueueRun(defs, { instance, selection: "trivial", partitions: "all" });
  if (empty.totalSteps !== 0) throw new Error(`install enqueue planned ${empty.totalSteps} steps`);
  instance.addDynamicPartitions(items, keysOf(partitions));
  return instance;
}

interface EnqueueSample {
  ms: number;
  sql: ChildSample["sql"];
}

async function measureEnqueue(home: string, url: string): Promise<EnqueueSample> {
  const instance = await freshInstance(home, url, ENQUEUE_STEPS);
  try {
    const sql = instrumentConnection(instance.storage as PostgresStorage);
    const start = performance.now();
    const queued = await enqueueRun(defs, { instance, selection: "trivial", partitions: "all" });
    const ms = performance.now() - start;
    if (queued.totalSteps !== ENQUEUE_STEPS || queued.enqueued !== ENQUEUE_STEPS) {
      throw new Error(`enqueued ${queued.enqueued} of ${queued.totalSteps} steps, expected ${ENQUEUE_STEPS}`);
    }
    return { ms, sql };
  } finally {
    instance.close();
  }
}

interface StepSample {
  /** From the start (enqueueRun, or materialize) to the run's end as recorded. */
  wallMs: number;
  child: ChildSample;
}

async function measureQueue(home: string, url: string): Promise<StepSample> {
  const instance = await freshInstance(home, url, STEPS);
  try {
    const worker = await startChild(["--queue", DEFS, home, url, String(CONCURRENCY)], process.env);
    const start = Date.now();
    const queued = await enqueueRun(defs, { instance, selection: "trivial", partitions: "all" });
    const child = await worker.go();
    if (child.steps.succeeded !== STEPS) throw new Error(`worker computed ${JSON.stringify(child.steps)}`);
    const times = runTimes(instance, queued.runId);
    return { wallMs: times.endedAt - start, child };
  } finally {
    instance.close();
  }
}

async function measureInProcess(home: string, url: string): Promise<StepSample> {
  const instance = await freshInstance(home, url, STEPS);
  try {
    const run = await startChild(
      ["--in-process", DEFS, home, url, String(CONCURRENCY), "trivial"],
      process.env,
    );
    const child = await run.go();
    if (child.steps.succeeded !== STEPS) throw new Error(`run computed ${JSON.stringify(child.steps)}`);
    const times = runTimes(instance, child.runId!);
    return { wallMs: times.endedAt - child.goAt, child };
  } finally {
    instance.close();
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-queue-executor-"));
const server = await startBenchPostgres();
try {
  const enqueues: EnqueueSample[] = [];
  for (let i = 0; i < ENQUEUE_RUNS; i++) {
    enqueues.push(await measureEnqueue(path.join(dir, `enqueue-${i}`), server.schemaUrl(`enqueue_${i}`)));
    console.log(`enqueue run ${i + 1}: ${enqueues[i].ms.toFixed(0)} ms`);
  }
  const queue: StepSample[] = [];
  const inProcess: StepSample[] = [];
  for (let i = 0; i < RUNS; i++) {
    inProcess.push(await measureInProcess(path.join(dir, `inproc-${i}`), server.schemaUrl(`inproc_${i}`)));
    queue.push(await measureQueue(path.join(dir, `queue-${i}`), server.schemaUrl(`queue_${i}`)));
    console.log(
      `steps run ${i + 1}: queue ${queue[i].wallMs} ms, in-process ${inProcess[i].wallMs} ms (${STEPS} steps, concurrency ${CONCURRENCY})`,
    );
  }

  const enqueueMs = median(enqueues.map((s) => s.ms));
  const sqlMs = median(enqueues.map((s) => Object.values(s.sql).reduce((sum, e) => sum + e.ms, 0)));
  console.log(
    `RESULT enqueueRun of ${ENQUEUE_STEPS} steps (trivial asset x ${ENQUEUE_STEPS} dynamic partitions, queue installed) | median ${enqueueMs.toFixed(0)} ms | ` +
      `baseline target: median ${ENQUEUE_TARGET_MS} ms | ratio ${(enqueueMs / ENQUEUE_TARGET_MS).toFixed(2)} | target < 5 s: ${enqueueMs < ENQUEUE_TARGET_MS ? "met" : "MISSED"}`,
  );
  const middle = enqueues.find((s) => s.ms === enqueueMs) ?? enqueues[0];
  console.log(
    `  of which in statements on the instance connection: ${sqlMs.toFixed(0)} ms (rest: planning in JS, graphile-worker's migration check); ` +
      Object.entries(middle.sql)
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(([op, { n, ms }]) => `${op} ${n} x ${(ms / n).toFixed(0)} ms`)
        .join("; "),
  );

  const what = `trivial asset, ${STEPS} steps, concurrency ${CONCURRENCY}`;
  const perStep = (samples: StepSample[], of: (s: StepSample) => number) => median(samples.map(of));
  const figures: Array<[string, (s: StepSample) => number, string, number]> = [
    ["wall time per step (start to the run's end)", (s) => s.wallMs / STEPS, "ms", 3],
    ["CPU time per step (the measured process)", (s) => s.child.cpuMs / STEPS, "ms", 3],
    ["event-loop busy per step", (s) => s.child.busyMs / STEPS, "ms", 3],
    ["statements on the instance connection per step", (s) => statementsPerStep([s.child], STEPS), "", 2],
    ["time in those statements per step", (s) => sqlMsPerStep([s.child], STEPS), "ms", 3],
  ];
  for (const [figure, of, unit, digits] of figures) {
    const q = perStep(queue, of);
    const base = perStep(inProcess, of);
    console.log(
      `RESULT ${what}: ${figure}, queue (1 worker process) | median ${q.toFixed(digits)} ${unit} | baseline in-process materialize: median ${base.toFixed(digits)} ${unit} | ratio ${(q / base).toFixed(2)}`,
    );
  }
  const startUp = median(queue.map((s) => (s.child.startedAt ?? s.child.goAt) - s.child.goAt));
  console.log(`  worker start-up inside runWorker (go to its "started" event): median ${startUp} ms`);
  console.log(
    `  graphile-worker statements per step (its own pool): median ${median(queue.map((s) => s.child.graphileStatements / STEPS)).toFixed(2)}`,
  );
  console.log(`  queue worker, instance connection per step: ${statementBreakdown([queue[0].child], STEPS)}`);
  console.log(
    `  in-process, instance connection per step: ${statementBreakdown([inProcess[0].child], STEPS)}`,
  );
} finally {
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
