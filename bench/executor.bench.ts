/**
 * Executor overhead: materialize a trivial partitioned asset (memory IO) over 10,000
 * partitions in one run, with a SQLite instance in a temp dir (run record, batched events,
 * claims, per-run log). Baseline: a bare loop awaiting the same compute function 10,000
 * times in the same process. Each of the 5 runs happens in a fresh child process, so its
 * peak RSS is that of one process doing one such run; medians are reported. The share of
 * the run spent in storage calls shows that event recording is batched and does not dominate.
 * Targets (issue 2): overhead < 0.3 ms per partition, peak RSS < 250 MB.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AssetContext } from "../packages/core/src/index.ts";

type Core = typeof import("../packages/core/src/index.ts");

const PARTITIONS = 10_000;
const RUNS = 5;
const TARGET_OVERHEAD_MS = 0.3;
const TARGET_RSS_MB = 250;

interface Sample {
  baselineMs: number;
  engineMs: number;
  /** CPU time (user + system, all threads) of the process during the run: steadier than wall time on a busy machine. */
  cpuMs: number;
  /** Part of engineMs spent inside instance storage calls (events, claims, run record). */
  storageMs: number;
  peakRssMb: number;
  rssBeforeMb: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Adds the time spent in every storage method call to `total.ms`. */
function timeStorage(storage: object): { ms: number } {
  const total = { ms: 0 };
  const methods = storage as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ["createRun", "updateRun", "appendEvents", "claimSteps", "releaseSteps"]) {
    const original = methods[name].bind(storage);
    methods[name] = (...args) => {
      const start = performance.now();
      try {
        return original(...args);
      } finally {
        total.ms += performance.now() - start;
      }
    };
  }
  return total;
}

/**
 * One measured run; prints its Sample as JSON. The engine is this checkout's, or the one of the
 * checkout given (bench/ab.ts compares checkouts with this same harness).
 */
async function child(checkout: string, partitions: "all" | "missing"): Promise<void> {
  const { asset, defineDefinitions, dynamicPartitions, materialize, openInstance } = (await import(
    path.join(checkout, "packages/core/src/index.ts")
  )) as Core;
  const items = dynamicPartitions("items");
  const compute = (ctx: Pick<AssetContext, "partitionKey">) => ctx.partitionKey!.length;
  const defs = defineDefinitions({ assets: [asset({ key: "trivial", partitions: items, compute })] });
  const keys = Array.from({ length: PARTITIONS }, (_, i) => `item_${i.toString(36).padStart(4, "0")}`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "bench-executor-"));
  const instance = openInstance(home);
  try {
    instance.addDynamicPartitions(items, keys);
    const rssBeforeMb = process.memoryUsage().rss / 1e6;
    let start = performance.now();
    let sum = 0;
    for (const partitionKey of keys) sum += await compute({ partitionKey });
    const baselineMs = performance.now() - start;
    if (sum === 0) throw new Error("baseline computed nothing");

    const storage = timeStorage(instance.storage);
    start = performance.now();
    const cpu = process.cpuUsage();
    const summary = await materialize(defs, { instance, selection: "trivial", partitions });
    const engineMs = performance.now() - start;
    const { user, system } = process.cpuUsage(cpu);
    if (summary.status !== "succeeded" || summary.succeeded !== PARTITIONS) {
      throw new Error(
        `run ${summary.runId} ended ${summary.status} with ${summary.succeeded} steps succeeded`,
      );
    }
    const recorded = instance.storage.countAssetPartitionStates("trivial").materialized;
    if (recorded !== PARTITIONS)
      throw new Error(`expected ${PARTITIONS} recorded materializations, got ${recorded}`);
    const sample: Sample = {
      baselineMs,
      engineMs,
      cpuMs: (user + system) / 1000,
      storageMs: storage.ms,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      rssBeforeMb,
    };
    console.log(JSON.stringify(sample));
  } finally {
    instance.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

function parent(): void {
  const samples: Sample[] = [];
  for (let run = 0; run < RUNS; run++) {
    const res = spawnSync(process.execPath, ["--import", "tsx", import.meta.filename, "--child"], {
      encoding: "utf8",
    });
    if (res.status !== 0) throw new Error(`bench child failed (${res.status ?? res.signal}): ${res.stderr}`);
    samples.push(JSON.parse(res.stdout.trim().split("\n").at(-1)!) as Sample);
  }
  const base = median(samples.map((s) => s.baselineMs));
  const engine = median(samples.map((s) => s.engineMs));
  const perPartition = median(samples.map((s) => (s.engineMs - s.baselineMs) / PARTITIONS));
  const basePerPartition = base / PARTITIONS;
  const peakRss = median(samples.map((s) => s.peakRssMb));
  const rssBefore = median(samples.map((s) => s.rssBeforeMb));
  const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
  console.log(
    `RESULT materialize ${PARTITIONS} partitions, one run | median ${engine.toFixed(0)} ms | baseline bare compute loop: median ${base.toFixed(2)} ms | ratio ${(engine / base).toFixed(0)}x`,
  );
  console.log(
    `RESULT engine overhead per partition | median ${perPartition.toFixed(4)} ms | baseline bare compute call: median ${basePerPartition.toFixed(5)} ms | ratio ${(perPartition / basePerPartition).toFixed(0)}x`,
  );
  console.log(`  target < ${TARGET_OVERHEAD_MS} ms: ${verdict(perPartition < TARGET_OVERHEAD_MS)}`);
  const cpu = median(samples.map((s) => s.cpuMs));
  console.log(
    `RESULT CPU time of the run (user + system) | median ${cpu.toFixed(0)} ms | baseline wall time of the run: median ${engine.toFixed(0)} ms | ratio ${(cpu / engine).toFixed(2)}x`,
  );
  const storagePerPartition = median(samples.map((s) => s.storageMs / PARTITIONS));
  console.log(
    `RESULT instance storage (batched events, claims) per partition | median ${storagePerPartition.toFixed(4)} ms | baseline engine overhead per partition: median ${perPartition.toFixed(4)} ms | ratio ${(storagePerPartition / perPartition).toFixed(2)}x`,
  );
  console.log(
    `RESULT peak RSS of a process running it | median ${peakRss.toFixed(0)} MB | baseline same process before the run: median ${rssBefore.toFixed(0)} MB | ratio ${(peakRss / rssBefore).toFixed(1)}x`,
  );
  console.log(`  target < ${TARGET_RSS_MB} MB: ${verdict(peakRss < TARGET_RSS_MB)}`);
}

// `--child [CHECKOUT] [--missing]`: `missing` (nothing is materialized yet, so the same 10,000
// steps) adds the re-check each claim makes for such runs.
const [mode, checkout, selector] = process.argv.slice(2);
if (mode === "--child") {
  await child(
    path.resolve(checkout ?? path.join(import.meta.dirname, "..")),
    selector === "--missing" ? "missing" : "all",
  );
} else parent();
