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
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import {
  createLlmClient,
  type FakeOpenAiServer,
  startFakeOpenAiServer,
} from "../packages/assets/src/index.ts";
import { loadDefinitions, materialize, openInstance } from "../packages/core/src/index.ts";

const EVALUATIONS = 2000;
const LATENCY_MS = 100;
const CONCURRENCY = 64;
const RUNS = 5;
const IDEAL_MS = (EVALUATIONS * LATENCY_MS) / CONCURRENCY;
const TARGET_RATIO = 1.25;
const TARGET_RSS_MB = 300;
const SELF = import.meta.filename;
const DEFINITIONS = path.resolve(import.meta.dirname, "../packages/assets/src/definitions.ts");
const FIXTURE = path.resolve(import.meta.dirname, "../packages/assets/tests/fixtures/generation-data");
// The fixture's cohort has 4 essays x 2 evaluation templates: 250 evaluation models make 2,000 evaluations.
const EVALUATION_MODELS = EVALUATIONS / 8;

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

function llmEnv(baseUrl: string): Record<string, string> {
  return {
    DD_LLM: "openai",
    DD_LLM_BASE_URL: baseUrl,
    DD_LLM_API_KEY: "bench",
    DD_LLM_CONCURRENCY: String(CONCURRENCY),
  };
}

/** `--serve`: the fake server, in its own process until stdin closes. */
async function serve(): Promise<void> {
  const server: FakeOpenAiServer = await startFakeOpenAiServer({
    delayMs: LATENCY_MS,
    recordRequests: false,
  });
  console.log(JSON.stringify({ baseUrl: server.baseUrl }));
  process.stdin.resume();
  process.stdin.on("end", () => void server.close().then(() => process.exit(0)));
}

/** `--worker ROOT HOME`: one measured run of evaluation_response over every partition. */
async function worker(root: string, home: string): Promise<void> {
  process.env.DD_DATA_ROOT = root;
  const defs = await loadDefinitions(DEFINITIONS);
  const instance = openInstance(home);
  try {
    const elu = performance.eventLoopUtilization();
    let t = performance.now();
    const summary = await materialize(defs, {
      instance,
      selection: "evaluation_response",
      partitions: "all",
      concurrency: CONCURRENCY,
      logLevel: "warn",
    });
    const engineMs = performance.now() - t;
    const busyMs = performance.eventLoopUtilization(elu).active;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    // performance.now() counts from process start: node + tsx start-up, definitions, the run.
    const processMs = performance.now();
    if (summary.status !== "succeeded" || summary.succeeded !== EVALUATIONS) {
      throw new Error(
        `run ${summary.runId} ended ${summary.status}: ${summary.succeeded} ok, ${JSON.stringify(summary.failures.slice(0, 3))}`,
      );
    }
    // The same number of calls straight through the client, 64 at a time, no engine.
    const client = createLlmClient(process.env);
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
    const sample: Omit<Sample, "createUs"> = { engineMs, busyMs, directMs, peakRssMb, processMs };
    console.log(JSON.stringify(sample));
  } finally {
    instance.close();
  }
}

/** A data root whose Cartesian cohort has 2,000 evaluations, prompts already rendered (offline). */
async function prepare(dir: string): Promise<{ root: string; home: string }> {
  const root = path.join(dir, "data");
  const home = path.join(dir, ".assets");
  fs.cpSync(FIXTURE, root, { recursive: true });
  const models = Array.from(
    { length: EVALUATION_MODELS - 1 },
    (_, i) => `eval-${i},bench/evaluator-${i},bench,Evaluator ${i},False,True,`,
  );
  fs.appendFileSync(path.join(root, "1_raw", "llm_models.csv"), `${models.join("\n")}\n`);
  process.env.DD_DATA_ROOT = root;
  process.env.DD_LLM = "offline";
  const defs = await loadDefinitions(DEFINITIONS);
  const instance = openInstance(home);
  try {
    const steps: Array<[string, "all" | undefined]> = [
      ["cohort_id,cohort_membership,group:task_definitions", undefined],
      ["group:generation_draft,group:generation_essays,evaluation_prompt", "all"],
    ];
    for (const [selection, partitions] of steps) {
      const s = await materialize(defs, {
        instance,
        selection,
        partitions,
        concurrency: 8,
        logLevel: "warn",
      });
      if (s.status !== "succeeded")
        throw new Error(`setup ${selection}: ${JSON.stringify(s.failures.slice(0, 3))}`);
    }
    const n = instance.countDynamicPartitions("evaluation_gens");
    if (n !== EVALUATIONS)
      throw new Error(`setup registered ${n} evaluation partitions, expected ${EVALUATIONS}`);
  } finally {
    instance.close();
  }
  return { root, home };
}

async function startServer(): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", SELF, "--serve"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`fake server exited with ${code}`)));
  });
  return { child, baseUrl: (JSON.parse(line) as { baseUrl: string }).baseUrl };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-generation-"));
  const server = await startServer();
  try {
    const { root, home } = await prepare(dir);
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      const runRoot = path.join(dir, `run-${i}`);
      fs.cpSync(root, runRoot, { recursive: true });
      const createUs = probeFileCreation(runRoot);
      const res = spawnSync(process.execPath, ["--import", "tsx", SELF, "--worker", runRoot, home], {
        encoding: "utf8",
        env: { ...process.env, ...llmEnv(server.baseUrl) },
      });
      if (res.status !== 0) throw new Error(`worker failed (${res.status ?? res.signal}):\n${res.stderr}`);
      samples.push({ ...(JSON.parse(res.stdout.trim().split("\n").at(-1)!) as Sample), createUs });
    }
    const engine = median(samples.map((s) => s.engineMs)) / 1000;
    const direct = median(samples.map((s) => s.directMs)) / 1000;
    const rss = median(samples.map((s) => s.peakRssMb));
    const busy = median(samples.map((s) => s.busyMs / EVALUATIONS));
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
    server.child.stdin?.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === "--serve") await serve();
else if (mode === "--worker") await worker(args[0], args[1]);
else await main();
