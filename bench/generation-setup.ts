/**
 * The generation bench's untimed setup, shared by generation.bench.ts and ab.ts: the fake LLM
 * server in its own process, and a data root whose Cartesian cohort has 2,000 evaluations,
 * prompts already rendered (offline). ab.ts builds the data root with another checkout's
 * engine: the modules to use are passed in.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import type * as core from "../packages/core/src/index.ts";

export const EVALUATIONS = 2000;
export const LATENCY_MS = 100;
/** Steps in flight (the run's concurrency) and LLM calls in flight (DD_LLM_CONCURRENCY). */
export const CONCURRENCY = 64;
// The fixture's cohort has 4 essays x 2 evaluation templates: 250 evaluation models make 2,000 evaluations.
const EVALUATION_MODELS = EVALUATIONS / 8;

/** What setup needs of @daydream/core: the checkout's own, so that its storage schema is used. */
export type SetupEngine = Pick<typeof core, "loadDefinitions" | "openInstance" | "materialize">;

/** Paths of one checkout's pipeline: its definitions module and the generation test fixture. */
export function checkoutPaths(checkout: string): { definitions: string; fixture: string } {
  return {
    definitions: path.join(checkout, "packages/assets/src/definitions.ts"),
    fixture: path.join(checkout, "packages/assets/tests/fixtures/generation-data"),
  };
}

/** Builds the data root and instance under `dir`; sets DD_DATA_ROOT and DD_LLM=offline. */
export async function prepareGenerationRoot(
  dir: string,
  engine: SetupEngine,
  paths: { definitions: string; fixture: string },
): Promise<{ root: string; home: string }> {
  const root = path.join(dir, "data");
  const home = path.join(dir, ".assets");
  fs.cpSync(paths.fixture, root, { recursive: true });
  const models = Array.from(
    { length: EVALUATION_MODELS - 1 },
    (_, i) => `eval-${i},bench/evaluator-${i},bench,Evaluator ${i},False,True,`,
  );
  fs.appendFileSync(path.join(root, "1_raw", "llm_models.csv"), `${models.join("\n")}\n`);
  process.env.DD_DATA_ROOT = root;
  process.env.DD_LLM = "offline";
  const defs = await engine.loadDefinitions(paths.definitions);
  const instance = engine.openInstance(home);
  try {
    const steps: Array<[string, "all" | undefined]> = [
      ["cohort_id,cohort_membership,group:task_definitions", undefined],
      ["group:generation_draft,group:generation_essays,evaluation_prompt", "all"],
    ];
    for (const [selection, partitions] of steps) {
      const s = await engine.materialize(defs, {
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

/** The fake server (generation.bench.ts --serve) and the environment that points the LLM client at it. */
export async function startBenchServer(): Promise<{ env: Record<string, string>; stop(): void }> {
  const bench = path.join(import.meta.dirname, "generation.bench.ts");
  const child = spawn(process.execPath, ["--import", "tsx", bench, "--serve"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`fake server exited with ${code}`)));
  });
  const { baseUrl } = JSON.parse(line) as { baseUrl: string };
  return {
    env: {
      DD_LLM: "openai",
      DD_LLM_BASE_URL: baseUrl,
      DD_LLM_API_KEY: "bench",
      DD_LLM_CONCURRENCY: String(CONCURRENCY),
    },
    // the server exits when its stdin closes
    stop: () => child.stdin?.end(),
  };
}
