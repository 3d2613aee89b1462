/**
 * What asset checks and version recording cost generation (issue 14): bench/generation.bench.ts's
 * run (evaluation_response over 2,000 evaluation partitions, concurrency 64, fake
 * OpenAI-compatible server answering after 100 ms in its own process, each run a fresh worker on
 * a fresh copy of the data root) made as by default, with the checks (files_present,
 * parsed_matches_parser, score_in_range after each response) and code and data versions
 * recorded, and with neither (`checks: false`, `recordVersions: false`), alternating run by run
 * in one invocation so both see the same machine and file-system state. Medians of PAIRS runs
 * each. Target: on <= 1.05 x off.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "../packages/assets/src/index.ts";
import { loadDefinitions, materialize, openInstance } from "../packages/core/src/index.ts";

const EVALUATIONS = 2000;
const LATENCY_MS = 100;
const CONCURRENCY = 64;
const PAIRS = 4;
const TARGET_CHECKS_RATIO = 1.05;
const SELF = import.meta.filename;
const DEFINITIONS = path.resolve(import.meta.dirname, "../packages/assets/src/definitions.ts");
const FIXTURE = path.resolve(import.meta.dirname, "../packages/assets/tests/fixtures/generation-data");
// The fixture's cohort has 4 essays x 2 evaluation templates: 250 evaluation models make 2,000 evaluations.
const EVALUATION_MODELS = EVALUATIONS / 8;

interface Sample {
  engineMs: number;
  /** Event-loop busy time during the run. */
  busyMs: number;
  peakRssMb: number;
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

/** `--worker ROOT HOME on|off`: one measured run of evaluation_response over every partition. */
async function worker(root: string, home: string, checks: boolean): Promise<void> {
  process.env.DD_DATA_ROOT = root;
  const defs = await loadDefinitions(DEFINITIONS);
  const instance = openInstance(home);
  try {
    const elu = performance.eventLoopUtilization();
    const t = performance.now();
    const summary = await materialize(defs, {
      instance,
      selection: "evaluation_response",
      partitions: "all",
      concurrency: CONCURRENCY,
      logLevel: "warn",
      checks,
      recordVersions: checks,
    });
    const engineMs = performance.now() - t;
    const busyMs = performance.eventLoopUtilization(elu).active;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    const evaluated = summary.checks.passed + summary.checks.warned + summary.checks.failed;
    if (evaluated !== (checks ? 3 * EVALUATIONS : 0) || summary.checks.failed > 0) {
      throw new Error(
        `checks ${checks ? "on" : "off"}: ${evaluated} evaluated, ${summary.checks.failed} failed`,
      );
    }
    if (summary.status !== "succeeded" || summary.succeeded !== EVALUATIONS) {
      throw new Error(
        `run ${summary.runId} ended ${summary.status}: ${summary.succeeded} ok, ${JSON.stringify(summary.failures.slice(0, 3))}`,
      );
    }
    const sample: Sample = { engineMs, busyMs, peakRssMb };
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
    const samples: Record<"on" | "off", Sample[]> = { on: [], off: [] };
    for (let i = 0; i < 2 * PAIRS; i++) {
      // on, off, off, on, on, off...: neither setting always goes first.
      const mode = i % 4 === 0 || i % 4 === 3 ? "on" : "off";
      const runRoot = path.join(dir, `run-${i}`);
      const runHome = path.join(dir, `home-${i}`);
      fs.cpSync(root, runRoot, { recursive: true });
      fs.cpSync(home, runHome, { recursive: true });
      const res = spawnSync(process.execPath, ["--import", "tsx", SELF, "--worker", runRoot, runHome, mode], {
        encoding: "utf8",
        env: { ...process.env, ...llmEnv(server.baseUrl) },
      });
      if (res.status !== 0) throw new Error(`worker failed (${res.status ?? res.signal}):\n${res.stderr}`);
      samples[mode].push(JSON.parse(res.stdout.trim().split("\n").at(-1)!) as Sample);
    }
    const wall = (mode: "on" | "off") => median(samples[mode].map((s) => s.engineMs)) / 1000;
    const busy = (mode: "on" | "off") => median(samples[mode].map((s) => s.busyMs / EVALUATIONS));
    const ratio = wall("on") / wall("off");
    const what = `evaluation_response, ${EVALUATIONS} partitions, fake LLM ${LATENCY_MS} ms, concurrency ${CONCURRENCY}`;
    console.log(
      `RESULT ${what}: run wall time with checks and versions recorded | median ${wall("on").toFixed(2)} s | baseline neither (same invocation): ` +
        `median ${wall("off").toFixed(2)} s | ratio ${ratio.toFixed(3)} | target <= ${TARGET_CHECKS_RATIO}: ${ratio <= TARGET_CHECKS_RATIO ? "ok" : "OVER TARGET"}`,
    );
    console.log(
      `RESULT ${what}: main-thread busy per evaluation with checks and versions | median ${busy("on").toFixed(2)} ms | baseline neither: ` +
        `median ${busy("off").toFixed(2)} ms | ratio ${(busy("on") / busy("off")).toFixed(3)}`,
    );
    console.log(
      `RESULT ${what}: peak RSS with checks and versions | median ${median(samples.on.map((s) => s.peakRssMb)).toFixed(0)} MB | ` +
        `baseline neither: median ${median(samples.off.map((s) => s.peakRssMb)).toFixed(0)} MB`,
    );
  } finally {
    server.child.stdin?.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === "--serve") await serve();
else if (mode === "--worker") await worker(args[0], args[1], args[2] === "on");
else await main();
