/**
 * Adaptive rate limits: evaluation_response over 600 evaluation partitions of one provider
 * model against the fake OpenAI-compatible server that lets 10 requests be in flight, answers
 * 429 with `Retry-After: 1` to any request above that and every other after 100 ms. The run
 * asks for 64 steps at once and DD_LLM_CONCURRENCY=64: the client must find the provider's
 * limit by itself (AIMD per model, a Retry-After pausing the model's new calls).
 * The server runs in its own child process; each measured run is a fresh worker process on a
 * fresh copy of the prepared data root (cohort, task tables, drafts, essays and prompts made
 * offline, not timed). Baselines in the same invocation: the ideal 600 x 0.1 s / 10 = 6 s, and
 * the same run told the limit (DD_LLM_CONCURRENCY=10). Medians of RUNS runs.
 * Targets (issue 13): wall time <= 1.5 x ideal, 429s < 5% of requests.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface, type Interface } from "node:readline";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "../packages/assets/src/index.ts";
import { loadDefinitions, materialize, openInstance } from "../packages/core/src/index.ts";

const EVALUATIONS = 600;
const LATENCY_MS = 100;
const PROVIDER_LIMIT = 10;
const CONCURRENCY = 64;
const RUNS = 3;
const IDEAL_MS = (EVALUATIONS * LATENCY_MS) / PROVIDER_LIMIT;
const TARGET_RATIO = 1.5;
const TARGET_429_SHARE = 0.05;
const SELF = import.meta.filename;
const DEFINITIONS = path.resolve(import.meta.dirname, "../packages/assets/src/definitions.ts");
const FIXTURE = path.resolve(import.meta.dirname, "../packages/assets/tests/fixtures/generation-data");
// The fixture's cohort has 4 essays x 2 evaluation templates per evaluation model: 75 model ids
// make 600 evaluations, all sent to one provider model (one adaptive cap, one provider limit).
const MODEL_IDS = EVALUATIONS / 8;
const PROVIDER_MODEL = "bench/evaluator";

interface Sample {
  wallMs: number;
  requests: number;
  rateLimited: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `--serve`: the rate-limited fake server; prints its request counts for each `stats` line on stdin. */
async function serve(): Promise<void> {
  const server: FakeOpenAiServer = await startFakeOpenAiServer({
    delayMs: LATENCY_MS,
    maxInFlight: PROVIDER_LIMIT,
    retryAfterSeconds: 1,
  });
  console.log(JSON.stringify({ baseUrl: server.baseUrl }));
  const input = createInterface({ input: process.stdin });
  input.on("line", () => {
    console.log(JSON.stringify({ requests: server.requests.length, rateLimited: server.rateLimited() }));
  });
  input.on("close", () => void server.close().then(() => process.exit(0)));
}

/** `--worker ROOT HOME`: one measured run of evaluation_response over every partition. */
async function worker(root: string, home: string): Promise<void> {
  process.env.DD_DATA_ROOT = root;
  const defs = await loadDefinitions(DEFINITIONS);
  const instance = openInstance(home);
  try {
    const t = performance.now();
    const summary = await materialize(defs, {
      instance,
      selection: "evaluation_response",
      partitions: "all",
      concurrency: CONCURRENCY,
      logLevel: "warn",
      checks: false,
    });
    const wallMs = performance.now() - t;
    if (summary.status !== "succeeded" || summary.succeeded !== EVALUATIONS) {
      throw new Error(
        `run ${summary.runId} ended ${summary.status}: ${summary.succeeded} ok, ${JSON.stringify(summary.failures.slice(0, 3))}`,
      );
    }
    console.log(JSON.stringify({ wallMs }));
  } finally {
    instance.close();
  }
}

/** A data root whose cohort has 600 evaluations of one provider model, prompts rendered offline. */
async function prepare(dir: string): Promise<{ root: string; home: string }> {
  const root = path.join(dir, "data");
  const home = path.join(dir, ".assets");
  fs.cpSync(FIXTURE, root, { recursive: true });
  const models = [
    "id,model,provider,display_name,for_generation,for_evaluation,specialization",
    "gen-small,offline/gen-small,offline,Generator (small),True,False,",
    ...Array.from(
      { length: MODEL_IDS },
      (_, i) => `eval-${i},${PROVIDER_MODEL},bench,Evaluator ${i},False,True,`,
    ),
  ];
  fs.writeFileSync(path.join(root, "1_raw", "llm_models.csv"), `${models.join("\n")}\n`);
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
      // Asset checks are not what this measures (and one flags a fixture draft's literal braces).
      const s = await materialize(defs, {
        instance,
        selection,
        partitions,
        concurrency: 8,
        logLevel: "warn",
        checks: false,
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

interface Server {
  child: ChildProcess;
  baseUrl: string;
  stats(): Promise<{ requests: number; rateLimited: number }>;
}

async function startServer(): Promise<Server> {
  const child = spawn(process.execPath, ["--import", "tsx", SELF, "--serve"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines: Interface = createInterface({ input: child.stdout! });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`fake server exited with ${code}`));
      child.once("exit", onExit);
      lines.once("line", (line) => {
        child.off("exit", onExit);
        resolve(line);
      });
    });
  const first = await next();
  return {
    child,
    baseUrl: (JSON.parse(first) as { baseUrl: string }).baseUrl,
    stats: async () => {
      const answer = next();
      child.stdin!.write("stats\n");
      return JSON.parse(await answer);
    },
  };
}

/** One worker process on a fresh copy of the prepared root, with the per-model cap given. */
async function measure(
  prepared: { root: string; home: string },
  dir: string,
  server: Server,
  cap: number,
): Promise<Sample> {
  const runDir = fs.mkdtempSync(path.join(dir, "run-"));
  const root = path.join(runDir, "data");
  const home = path.join(runDir, ".assets");
  fs.cpSync(prepared.root, root, { recursive: true });
  fs.cpSync(prepared.home, home, { recursive: true });
  const before = await server.stats();
  const res = spawnSync(process.execPath, ["--import", "tsx", SELF, "--worker", root, home], {
    env: {
      ...process.env,
      DD_LLM: "openai",
      DD_LLM_BASE_URL: server.baseUrl,
      DD_LLM_API_KEY: "bench",
      DD_LLM_CONCURRENCY: String(cap),
    },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (res.status !== 0) throw new Error(`worker exited with ${res.status}: ${res.stdout}`);
  const after = await server.stats();
  const { wallMs } = JSON.parse(res.stdout.trim().split("\n").at(-1) ?? "{}") as { wallMs: number };
  return {
    wallMs,
    requests: after.requests - before.requests,
    rateLimited: after.rateLimited - before.rateLimited,
  };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-rate-limit-"));
  const server = await startServer();
  try {
    const prepared = await prepare(dir);
    const adaptive: Sample[] = [];
    const told: Sample[] = [];
    // Alternated, so that both settings see the same machine load.
    for (let i = 0; i < RUNS; i++) {
      adaptive.push(await measure(prepared, dir, server, CONCURRENCY));
      told.push(await measure(prepared, dir, server, PROVIDER_LIMIT));
      const a = adaptive.at(-1)!;
      console.log(
        `run ${i + 1}: DD_LLM_CONCURRENCY=${CONCURRENCY} ${(a.wallMs / 1000).toFixed(2)} s, ` +
          `${a.rateLimited}/${a.requests} requests answered 429; ` +
          `DD_LLM_CONCURRENCY=${PROVIDER_LIMIT} ${(told.at(-1)!.wallMs / 1000).toFixed(2)} s`,
      );
    }
    const wall = median(adaptive.map((s) => s.wallMs)) / 1000;
    const known = median(told.map((s) => s.wallMs)) / 1000;
    const ideal = IDEAL_MS / 1000;
    const share = median(adaptive.map((s) => s.rateLimited / s.requests));
    const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
    const what = `${EVALUATIONS} evaluations, provider limit ${PROVIDER_LIMIT} in flight, DD_LLM_CONCURRENCY=${CONCURRENCY}`;
    console.log(
      `RESULT ${what}: run wall | median ${wall.toFixed(2)} s | baseline ideal: median ${ideal.toFixed(2)} s | ` +
        `ratio ${(wall / ideal).toFixed(2)} | target <= ${TARGET_RATIO}x: ${verdict(wall / ideal <= TARGET_RATIO)}`,
    );
    console.log(
      `RESULT ${what}: run wall | median ${wall.toFixed(2)} s | baseline told the limit (DD_LLM_CONCURRENCY=${PROVIDER_LIMIT}): ` +
        `median ${known.toFixed(2)} s | ratio ${(wall / known).toFixed(2)}`,
    );
    console.log(
      `RESULT ${what}: 429 share of requests | median ${(share * 100).toFixed(2)} % | ` +
        `target < ${TARGET_429_SHARE * 100} %: ${verdict(share < TARGET_429_SHARE)}`,
    );
  } finally {
    server.child.stdin!.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === "--serve") await serve();
else if (mode === "--worker") await worker(args[0], args[1]);
else await main();
