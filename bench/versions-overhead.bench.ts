/**
 * What recording code and data versions costs a generation-shaped run (issue 14: at most 5%):
 * 2,000 partitions of `evaluation_prompt` (unpartitioned task table input) -> `evaluation_response`
 * (reads its prompt, waits 100 ms like the fake LLM, returns ~2 KB of text), concurrency 64,
 * JSON files on disk. A (versions off) and B (versions on, the default) alternate in one
 * process, each run on a fresh instance and output directory; medians of PAIRS pairs.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  asset,
  defineDefinitions,
  dynamicPartitions,
  jsonIOManager,
  materialize,
  openInstance,
} from "../packages/core/src/index.ts";

const PARTITIONS = 2000;
const CONCURRENCY = 64;
const LATENCY_MS = 100;
const PAIRS = Number(process.env.BENCH_PAIRS ?? 5);
const evaluations = dynamicPartitions("evaluations");
const answer = "The essay argues its point in stages. ".repeat(55);

function definitions(outDir: string) {
  return defineDefinitions({
    ioManagers: { json: jsonIOManager({ dir: outDir }) },
    assets: [
      asset({
        key: "evaluation_tasks",
        io: "json",
        compute: () => ({ rows: PARTITIONS, template: "novelty" }),
      }),
      asset({
        key: "evaluation_prompt",
        io: "json",
        partitions: evaluations,
        codeVersion: "1",
        partitionCodeVersions: () => (key) => `novelty@${key.length}`,
        ins: { evaluation_tasks: { versioned: false } },
        compute: (ctx) => `Rate essay ${ctx.partitionKey} for novelty.\n${answer}`,
      }),
      asset({
        key: "evaluation_response",
        io: "json",
        partitions: evaluations,
        ins: { evaluation_prompt: {} },
        compute: async (ctx, inputs) => {
          await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
          return `${(inputs.evaluation_prompt as string).length} ${ctx.partitionKey}\n${answer}`;
        },
      }),
    ],
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One run of evaluation_response over every partition; its prompts and table are made first, untimed. */
async function oneRun(recordVersions: boolean): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "versions-bench-"));
  const instance = openInstance(path.join(dir, "home"));
  try {
    const defs = definitions(path.join(dir, "out"));
    instance.addDynamicPartitions(
      evaluations,
      Array.from({ length: PARTITIONS }, (_, i) => `ev${i}`),
    );
    const base = { instance, concurrency: CONCURRENCY, logLevel: "silent" as const, recordVersions };
    await materialize(defs, { ...base, selection: "evaluation_tasks,evaluation_prompt", partitions: "all" });
    const start = performance.now();
    const summary = await materialize(defs, { ...base, selection: "evaluation_response", partitions: "all" });
    const ms = performance.now() - start;
    if (summary.succeeded !== PARTITIONS) throw new Error(`run ended ${summary.status}`);
    return ms;
  } finally {
    instance.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const off: number[] = [];
const on: number[] = [];
await oneRun(true);
for (let i = 0; i < PAIRS; i++) {
  off.push(await oneRun(false));
  on.push(await oneRun(true));
}
const a = median(off);
const b = median(on);
const ideal = (PARTITIONS * LATENCY_MS) / CONCURRENCY;
console.log(
  `RESULT ${PARTITIONS} partitions, ${LATENCY_MS} ms each, concurrency ${CONCURRENCY}: run wall time with versions recorded | median ${(b / 1000).toFixed(3)} s | baseline versions off (same process, alternating): median ${(a / 1000).toFixed(3)} s | ratio ${(b / a).toFixed(3)} | target <= 1.05: ${b / a <= 1.05 ? "met" : "NOT MET"} (ideal ${(ideal / 1000).toFixed(3)} s)`,
);
