/**
 * Definitions for bench/staleness.bench.ts: `prompt` (records only) and `response` (a JSON
 * file per partition under $BENCH_OUT_DIR, so its IO manager lists stored outputs with one
 * directory read), both over the dynamic partitions "gens". The prompt's code version has a
 * per-partition part, like the DayDreaming prompts' template hashes.
 */
import { asset, defineDefinitions, dynamicPartitions, jsonIOManager } from "../packages/core/src/index.ts";

export const TEMPLATES = 5;
const gens = dynamicPartitions("gens");

/** The template a partition key renders: `t<i mod TEMPLATES>`, the key being `g<i>`. */
export function templateOf(key: string): string {
  return `t${Number(key.slice(1)) % TEMPLATES}`;
}

export default defineDefinitions({
  ioManagers: { json: jsonIOManager({ dir: process.env.BENCH_OUT_DIR ?? "bench-out" }) },
  assets: [
    asset({
      key: "prompt",
      partitions: gens,
      codeVersion: "1",
      partitionCodeVersions: () => templateOf,
      compute: (ctx) => `prompt ${ctx.partitionKey}`,
    }),
    asset({
      key: "response",
      partitions: gens,
      io: "json",
      ins: { prompt: {} },
      compute: (_ctx, inputs) => `answer to ${inputs.prompt as string}`,
    }),
  ],
});
