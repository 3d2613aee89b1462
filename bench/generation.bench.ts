/**
 * Generation throughput: evaluation_response over 2,000 evaluation partitions in one run,
 * concurrency 64 (run and DD_LLM_CONCURRENCY), against the fake OpenAI-compatible server
 * answering every request after 100 ms. The server runs in its own child process (a real
 * LLM is remote, so its CPU must not be this process's); each measured run is a fresh child
 * process too, so its peak RSS is one run's. Setup (cohort, task tables, drafts, essays and
 * the 2,000 evaluation prompts, offline) is not timed.
 * Every run gets its own copy of the prepared data root (untimed), so each generates its 2,000
 * responses afresh next to their prompts, as a first generation does; copies are deleted only at
 * the end (on ext4, creating files right after deleting thousands is far slower than usual).
 * The work directory is os.tmpdir() (set TMPDIR to measure on another disk). Medians of RUNS runs.
 * Baseline: the ideal wall time 2000 x 0.1 s / 64 = 3.125 s; also reported, the same 2,000
 * calls made straight through the LLM client with 64 in flight and no engine (measured in the
 * same worker, so a loaded machine slows both), and the main thread's busy time per evaluation
 * against the 100 ms / 64 = 1.56 ms a step may take before the event loop becomes the limit.
 * Targets (issue 5): wall time <= 1.25 x ideal, peak RSS < 300 MB.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  CONCURRENCY,
  checkoutPaths,
  EVALUATIONS,
  LATENCY_MS,
  prepareGenerationRoot,
  startBenchServer,
} from "./generation-setup.ts";

const RUNS = 5;
const IDEAL_MS = (EVALUATIONS * LATENCY_MS) / CONCURRENCY;
const TARGET_RATIO = 1.25;
const TARGET_RSS_MB = 300;
const SELF = import.meta.filename;
const CHECKOUT = path.resolve(import.meta.dirname, "..");

type Core = typeof import("../packages/core/src/index.ts");
type Assets = typeof import("../packages/assets/src/index.ts");

/** The engine and pipeline of a checkout: this one, or another that bench/ab.ts compares. */
async function modulesOf(checkout: string): Promise<{ core: Core; assets: Assets }> {
  return {
    core: (await import(path.join(checkout, "packages/core/src/index.ts"))) as Core,
    assets: (await import(path.join(checkout, "packages/assets/src/index.ts"))) as Assets,
  };
}

/**
 * Microseconds to create one empty file in a fresh directory under `dir`: what the file system
 * charges for the three files each evaluation creates. On ext4 this swings widely with how many
 * files were deleted recently, so it is measured just before each run. The probe files stay
 * (deleting them would slow the run that follows).
 */
function probeFileCreation(dir: string): number {
  const probe = path.join(dir, ".probe");
  fs.mkdirSync(probe);
  const n = 500;
  const t = performance.now();
  for (let i = 0; i < n; i++) fs.closeSync(fs.openSync(path.join(probe, `f${i}`), "w"));
  return ((performance.now() - t) / n) * 1000;
}

interface Sample {
  engineMs: number;
  /** Event-loop busy time during the run (main-thread CPU plus any time it was preempted). */
  busyMs: number;
  /** CPU time (user + system, all threads: event loop, writer threads, GC) during the run. */
  cpuMs: number;
  directMs: number;
  /** Peak RSS of the worker when the run ends (before the direct calls). */
  peakRssMb: number;
  processMs: number;
  /** File creation cost (µs) measured just before the run. */
  createUs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `--serve`: the fake server, in its own process until stdin closes. */
async function serve(): Promise<void> {
  const { assets } = await modulesOf(CHECKOUT);
  const server = await assets.startFakeOpenAiServer({
    delayMs: LATENCY_MS,
    recordRequests: false,
  });
  console.log(JSON.stringify({ baseUrl: server.baseUrl }));
  process.stdin.resume();
  process.stdin.on("end", () => void server.close().then(() => process.exit(0)));
}

/**
 * `--worker ROOT HOME [CHECKOUT]`: one measured run of evaluation_response over every partition,
 * with this checkout's engine or the one given.
 */
async function worker(root: string, home: string, checkout: string): Promise<void> {
  process.env.DD_DATA_ROOT = root;
  const { core, assets } = await modulesOf(checkout);
  const defs = await core.loadDefinitions(checkoutPaths(checkout).definitions);
  const instance = core.openInstance(home);
  try {
    const elu = performance.eventLoopUtilization();
    const cpu = process.cpuUsage();
    let t = performance.now();
    const summary = await core.materialize(defs, {
      instance,
      selection: "evaluation_response",
      partitions: "all",
      concurrency: CONCURRENCY,
      logLevel: "warn",
    });
    const engineMs = performance.now() - t;
    const busyMs = performance.eventLoopUtilization(elu).active;
    const { user, system } = process.cpuUsage(cpu);
    const cpuMs = (user + system) / 1000;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    // performance.now() counts from process start: node + tsx start-up, definitions, the run.
    const processMs = performance.now();
    if (summary.status !== "succeeded" || summary.succeeded !== EVALUATIONS) {
      throw new Error(
        `run ${summary.runId} ended ${summary.status}: ${summary.succeeded} ok, ${JSON.stringify(summary.failures.slice(0, 3))}`,
      );
    }
    // The same number of calls straight through the client, 64 at a time, no engine.
    const client = assets.createLlmClient(process.env);
    const prompt = fs.readFileSync(
      path.join(root, "1_raw", "evaluation_templates", "novelty-score.txt"),
      "utf8",
    );
    t = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < EVALUATIONS) {
          next++;
          await client.complete({ model: "bench/direct", prompt });
        }
      }),
    );
    const directMs = performance.now() - t;
    const sample: Omit<Sample, "createUs"> = { engineMs, busyMs, cpuMs, directMs, peakRssMb, processMs };
    console.log(JSON.stringify(sample));
  } finally {
    instance.close();
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-generation-"));
  const server = await startBenchServer();
  try {
    const { core } = await modulesOf(CHECKOUT);
    const { root, home } = await prepareGenerationRoot(dir, core, checkoutPaths(CHECKOUT));
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      const runRoot = path.join(dir, `run-${i}`);
      fs.cpSync(root, runRoot, { recursive: true });
      const createUs = probeFileCreation(runRoot);
      const res = spawnSync(process.execPath, ["--import", "tsx", SELF, "--worker", runRoot, home], {
        encoding: "utf8",
        env: { ...process.env, ...server.env },
      });
      if (res.status !== 0) throw new Error(`worker failed (${res.status ?? res.signal}):\n${res.stderr}`);
      samples.push({ ...(JSON.parse(res.stdout.trim().split("\n").at(-1)!) as Sample), createUs });
    }
    const engine = median(samples.map((s) => s.engineMs)) / 1000;
    const direct = median(samples.map((s) => s.directMs)) / 1000;
    const rss = median(samples.map((s) => s.peakRssMb));
    const busy = median(samples.map((s) => s.busyMs / EVALUATIONS));
    const cpuPer = median(samples.map((s) => s.cpuMs / EVALUATIONS));
    const budget = LATENCY_MS / CONCURRENCY;
    const proc = median(samples.map((s) => s.processMs)) / 1000;
    const ideal = IDEAL_MS / 1000;
    const createMs = (3 * median(samples.map((s) => s.createUs))) / 1000;
    const verdict = (ok: boolean) => (ok ? "ok" : "OVER TARGET");
    const what = `evaluation_response, ${EVALUATIONS} partitions, fake LLM ${LATENCY_MS} ms, concurrency ${CONCURRENCY}`;
    console.log(
      `RESULT ${what}: run wall time | median ${engine.toFixed(2)} s | baseline ideal ${EVALUATIONS} x 0.1 s / ${CONCURRENCY}: ` +
        `median ${ideal.toFixed(3)} s | ratio ${(engine / ideal).toFixed(2)} | target <= ${TARGET_RATIO}: ${verdict(engine / ideal <= TARGET_RATIO)}`,
    );
    console.log(
      `RESULT ${what}: run wall time | median ${engine.toFixed(2)} s | baseline the same calls straight through the LLM client (no engine, no files): ` +
        `median ${direct.toFixed(2)} s | ratio ${(engine / direct).toFixed(2)}`,
    );
    console.log(
      `RESULT ${what}: main-thread busy per evaluation | median ${busy.toFixed(2)} ms | ` +
        `baseline ${LATENCY_MS} ms / ${CONCURRENCY} in flight: median ${budget.toFixed(2)} ms | ratio ${(busy / budget).toFixed(2)}`,
    );
    console.log(
      `RESULT ${what}: CPU time per evaluation (user + system, all threads) | median ${cpuPer.toFixed(2)} ms | ` +
        `baseline ${LATENCY_MS} ms / ${CONCURRENCY} in flight: median ${budget.toFixed(2)} ms | ratio ${(cpuPer / budget).toFixed(2)}`,
    );
    console.log(
      `RESULT ${what}: kernel time to create one evaluation's 3 files, probed before each run | median ${createMs.toFixed(3)} ms | ` +
        `baseline ${LATENCY_MS} ms / ${CONCURRENCY} in flight: median ${budget.toFixed(2)} ms | ratio ${(createMs / budget).toFixed(2)}`,
    );
    console.log(
      `RESULT ${what}: worker process wall (start-up, definitions, run) | median ${proc.toFixed(2)} s | ` +
        `baseline ideal: median ${ideal.toFixed(3)} s | ratio ${(proc / ideal).toFixed(2)}`,
    );
    console.log(
      `RESULT ${what}: peak RSS | median ${rss.toFixed(0)} MB | baseline target: median ${TARGET_RSS_MB} MB | ` +
        `ratio ${(rss / TARGET_RSS_MB).toFixed(2)} | target < ${TARGET_RSS_MB} MB: ${verdict(rss < TARGET_RSS_MB)}`,
    );
  } finally {
    server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === "--serve") await serve();
else if (mode === "--worker") await worker(args[0], args[1], path.resolve(args[2] ?? CHECKOUT));
else await main();
