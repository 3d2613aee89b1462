/**
 * Executor overhead: materialize a trivial partitioned asset (memory IO) over 10,000
 * partitions in one run, with a SQLite instance in a temp dir (run record, batched events,
 * claims, per-run log). Baseline: a bare loop awaiting the same compute function 10,000
 * times, measured in the same process. Median of 5 runs; peak RSS of the whole process.
 * Targets (issue 2): overhead < 0.3 ms per partition, peak RSS < 250 MB.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type AssetContext, asset, defineDefinitions, dynamicPartitions, materialize, openInstance } from "../packages/core/src/index.ts";

const PARTITIONS = 10_000;
const RUNS = Number(process.env.RUNS ?? 5);
const TARGET_OVERHEAD_MS = 0.3;
const TARGET_RSS_MB = 250;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const items = dynamicPartitions("items");
const compute = (ctx: Pick<AssetContext, "partitionKey">) => ctx.partitionKey!.length;
const defs = defineDefinitions({ assets: [asset({ key: "trivial", partitions: items, compute })] });
const keys = Array.from({ length: PARTITIONS }, (_, i) => `item_${i.toString(36).padStart(4, "0")}`);

const rssBeforeMb = process.memoryUsage().rss / 1e6;
const baselineMs: number[] = [];
const engineMs: number[] = [];
const root = fs.mkdtempSync(path.join(os.tmpdir(), "bench-executor-"));
try {
  for (let run = 0; run < RUNS; run++) {
    let start = performance.now();
    let sum = 0;
    for (const partitionKey of keys) sum += await compute({ partitionKey });
    baselineMs.push(performance.now() - start);
    if (sum === 0) throw new Error("baseline computed nothing");

    const instance = openInstance(path.join(root, `home-${run}`));
    try {
      instance.addDynamicPartitions(items, keys);
      start = performance.now();
      const summary = await materialize(defs, { instance, selection: "trivial", partitions: "all" });
      engineMs.push(performance.now() - start);
      if (summary.status !== "succeeded" || summary.succeeded !== PARTITIONS) {
        throw new Error(`run ${summary.runId} ended ${summary.status} with ${summary.succeeded} steps succeeded`);
      }
      const events = instance.storage.getEvents(summary.runId, { types: ["materialization"], limit: PARTITIONS + 1 });
      if (events.length !== PARTITIONS) throw new Error(`expected ${PARTITIONS} materializations, got ${events.length}`);
    } finally {
      instance.close();
    }
  }
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}

const base = median(baselineMs);
const engine = median(engineMs);
const perPartition = (engine - base) / PARTITIONS;
const basePerPartition = base / PARTITIONS;
const peakRssMb = process.resourceUsage().maxRSS / 1024;
const verdict = (ok: boolean) => (ok ? "ok" : "OVER TARGET");
console.log(
  `RESULT materialize ${PARTITIONS} partitions, one run | median ${engine.toFixed(0)} ms | baseline bare compute loop: median ${base.toFixed(2)} ms | ratio ${(engine / base).toFixed(0)}x`,
);
console.log(
  `RESULT engine overhead per partition | median ${perPartition.toFixed(4)} ms | baseline bare compute call: median ${basePerPartition.toFixed(5)} ms | ratio ${(perPartition / basePerPartition).toFixed(0)}x | target < ${TARGET_OVERHEAD_MS} ms: ${verdict(perPartition < TARGET_OVERHEAD_MS)}`,
);
console.log(
  `RESULT peak RSS (${RUNS} runs of ${PARTITIONS} partitions) | max ${peakRssMb.toFixed(0)} MB | baseline process RSS before the runs: ${rssBeforeMb.toFixed(0)} MB | ratio ${(peakRssMb / rssBeforeMb).toFixed(1)}x | target < ${TARGET_RSS_MB} MB: ${verdict(peakRssMb < TARGET_RSS_MB)}`,
);
