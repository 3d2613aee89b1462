/**
 * Generation throughput on the queue executor (issue #12): evaluation_response over 2,000
 * evaluation partitions, enqueued with enqueueRun and drained by two worker processes
 * (runWorker once, concurrency 32 each), against the fake OpenAI-compatible server answering
 * after 100 ms (its own process, as in generation.bench.ts). Timed from the start of enqueueRun
 * to the run's end as the instance records it (the last materialization is reported too); the
 * workers have started and opened the instance before (queue-bench-child.ts), so process
 * start-up is not counted, runWorker's own start-up is.
 * Baseline, in the same invocation and on the same PostgreSQL instance, interleaved run by run:
 * the in-process executor (materialize, concurrency 64, one process). Setup (data root, instance
 * on a throwaway local server, the queue's schema) is untimed; every run works on a fresh copy
 * of the data root. Medians of RUNS runs.
 * Target (issue #12): queue wall time <= 1.3 x the ideal 2000 x 0.1 s / 64 = 3.125 s.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as core from "../packages/core/src/index.ts";
import { PostgresStorage } from "../packages/postgres/src/index.ts";
import { enqueueRun } from "../packages/queue/src/index.ts";
import {
  checkoutPaths,
  EVALUATIONS,
  LATENCY_MS,
  prepareGenerationRoot,
  startBenchServer,
} from "./generation-setup.ts";
import { startBenchPostgres } from "./postgres-server.ts";
import {
  type ChildSample,
  median,
  runTimes,
  sqlMsPerStep,
  startChild,
  statementBreakdown,
  statementsPerStep,
} from "./queue-bench-setup.ts";

const RUNS = 3;
const WORKERS = 2;
const WORKER_CONCURRENCY = 32;
const IN_PROCESS_CONCURRENCY = WORKERS * WORKER_CONCURRENCY;
const IDEAL_MS = (EVALUATIONS * LATENCY_MS) / IN_PROCESS_CONCURRENCY;
const TARGET_RATIO = 1.3;
const PATHS = checkoutPaths(path.resolve(import.meta.dirname, ".."));
const SELECTION = "evaluation_response";

interface QueueSample {
  enqueueMs: number;
  /** Start of enqueueRun to the run's end, and to its last materialization. */
  wallMs: number;
  lastMaterializationMs: number;
  workers: ChildSample[];
}

interface InProcessSample {
  wallMs: number;
  child: ChildSample;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-queue-generation-"));
const postgres = await startBenchPostgres();
const llm = await startBenchServer();
try {
  const url = postgres.schemaUrl("queue_generation");
  const engine = {
    ...core,
    openInstance: (h: string) => core.openInstance(h, { storage: new PostgresStorage(url) }),
  };
  const { root, home } = await prepareGenerationRoot(dir, engine, PATHS);
  const defs = await core.loadDefinitions(PATHS.definitions);
  const instance = engine.openInstance(home);
  try {
    // Installs the queue's tables and graphile-worker's schema (once per instance), untimed: no
    // evaluation_response is materialized yet, so none is stale and the run has no step.
    const install = await enqueueRun(defs, { instance, selection: SELECTION, partitions: "stale" });
    if (install.totalSteps !== 0) throw new Error(`install enqueue planned ${install.totalSteps} steps`);
    const env = (runRoot: string) => ({ ...process.env, ...llm.env, DD_DATA_ROOT: runRoot });
    const freshRoot = (label: string) => {
      const runRoot = path.join(dir, label);
      fs.cpSync(root, runRoot, { recursive: true });
      return runRoot;
    };
    const queue: QueueSample[] = [];
    const inProcess: InProcessSample[] = [];
    for (let i = 0; i < RUNS; i++) {
      const inRoot = freshRoot(`in-process-${i}`);
      const run = await startChild(
        ["--in-process", PATHS.definitions, home, url, String(IN_PROCESS_CONCURRENCY), SELECTION],
        env(inRoot),
      );
      const child = await run.go();
      if (child.steps.succeeded !== EVALUATIONS)
        throw new Error(`in-process run: ${JSON.stringify(child.steps)}`);
      inProcess.push({ wallMs: runTimes(instance, child.runId!).endedAt - child.goAt, child });

      const queueRoot = freshRoot(`queue-${i}`);
      process.env.DD_DATA_ROOT = queueRoot;
      const workers = await Promise.all(
        Array.from({ length: WORKERS }, () =>
          startChild(["--queue", PATHS.definitions, home, url, String(WORKER_CONCURRENCY)], env(queueRoot)),
        ),
      );
      const start = Date.now();
      const queued = await enqueueRun(defs, { instance, selection: SELECTION, partitions: "all" });
      const enqueueMs = Date.now() - start;
      const samples = await Promise.all(workers.map((w) => w.go()));
      const computed = samples.reduce((sum, s) => sum + s.steps.succeeded, 0);
      if (computed !== EVALUATIONS) throw new Error(`workers computed ${computed} of ${EVALUATIONS} steps`);
      const times = runTimes(instance, queued.runId);
      queue.push({
        enqueueMs,
        wallMs: times.endedAt - start,
        lastMaterializationMs: times.lastMaterializationAt - start,
        workers: samples,
      });
      console.log(
        `run ${i + 1}: queue ${(queue[i].wallMs / 1000).toFixed(2)} s (steps per worker ${samples.map((s) => s.steps.succeeded).join(" / ")}), in-process ${(inProcess[i].wallMs / 1000).toFixed(2)} s`,
      );
    }

    const what = `${SELECTION}, ${EVALUATIONS} partitions, fake LLM ${LATENCY_MS} ms`;
    const q = median(queue.map((s) => s.wallMs)) / 1000;
    const base = median(inProcess.map((s) => s.wallMs)) / 1000;
    const ideal = IDEAL_MS / 1000;
    console.log(
      `RESULT ${what}: queue executor, ${WORKERS} worker processes x concurrency ${WORKER_CONCURRENCY}, enqueue to run end | median ${q.toFixed(2)} s | ` +
        `baseline ideal ${EVALUATIONS} x 0.1 s / ${IN_PROCESS_CONCURRENCY}: median ${ideal.toFixed(3)} s | ratio ${(q / ideal).toFixed(2)} | ` +
        `target <= ${TARGET_RATIO}: ${q / ideal <= TARGET_RATIO ? "met" : "MISSED"}`,
    );
    console.log(
      `RESULT ${what}: queue executor, enqueue to run end | median ${q.toFixed(2)} s | ` +
        `baseline in-process materialize, concurrency ${IN_PROCESS_CONCURRENCY}, same PostgreSQL: median ${base.toFixed(2)} s | ratio ${(q / base).toFixed(2)}`,
    );
    console.log(
      `  in-process against the ideal: ratio ${(base / ideal).toFixed(2)}; queue, enqueue to last materialization: median ${(median(queue.map((s) => s.lastMaterializationMs)) / 1000).toFixed(2)} s`,
    );
    const workers = queue.flatMap((s) => s.workers);
    console.log(
      `  queue breakdown (medians): enqueueRun ${median(queue.map((s) => s.enqueueMs))} ms; runWorker start-up (go to "started") ` +
        `${median(workers.map((w) => (w.startedAt ?? w.goAt) - w.goAt))} ms; per worker, event-loop busy per step ` +
        `${median(workers.map((w) => w.busyMs / w.steps.succeeded)).toFixed(2)} ms (budget at concurrency ${WORKER_CONCURRENCY}: ` +
        `${(LATENCY_MS / WORKER_CONCURRENCY).toFixed(2)} ms), CPU per step ${median(workers.map((w) => w.cpuMs / w.steps.succeeded)).toFixed(2)} ms`,
    );
    const perRun = (s: QueueSample) => ({
      statements: statementsPerStep(s.workers, EVALUATIONS),
      sqlMs: sqlMsPerStep(s.workers, EVALUATIONS),
      graphile: s.workers.reduce((sum, w) => sum + w.graphileStatements, 0) / EVALUATIONS,
    });
    console.log(
      `  queue workers per step (medians): ${median(queue.map((s) => perRun(s).statements)).toFixed(2)} statements on the instance connection ` +
        `taking ${median(queue.map((s) => perRun(s).sqlMs)).toFixed(2)} ms of event loop, ${median(queue.map((s) => perRun(s).graphile)).toFixed(2)} graphile-worker statements; ` +
        `in-process: ${median(inProcess.map((s) => statementsPerStep([s.child], EVALUATIONS))).toFixed(2)} statements taking ` +
        `${median(inProcess.map((s) => sqlMsPerStep([s.child], EVALUATIONS))).toFixed(2)} ms, event-loop busy per step ` +
        `${median(inProcess.map((s) => s.child.busyMs / EVALUATIONS)).toFixed(2)} ms`,
    );
    console.log(
      `  queue workers, instance connection per step (run 1): ${statementBreakdown(queue[0].workers, EVALUATIONS)}`,
    );
  } finally {
    instance.close();
  }
} finally {
  llm.stop();
  await postgres.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
