/**
 * Dynamic partitions: add 100,000 new keys to a fresh instance, then the same
 * 100,000 again (0 added). Baseline: a bare JS loop building a Set of the same
 * keys, measured in the same process. Median of 5 runs each.
 * Targets (issue 2): first add < 500 ms, repeat add < 300 ms.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openInstance } from "../packages/core/src/index.ts";

const KEY_COUNT = 100_000;
const RUNS = 5;
const TARGET_FIRST_MS = 500;
const TARGET_REPEAT_MS = 300;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timed<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

function result(figure: string, ms: number, baseline: string, baselineMs: number, target: number): void {
  const ratio = (ms / baselineMs).toFixed(1);
  console.log(
    `RESULT ${figure} | median ${ms.toFixed(1)} ms | baseline ${baseline}: median ${baselineMs.toFixed(2)} ms | ratio ${ratio}x`,
  );
  console.log(`  target < ${target} ms: ${ms < target ? "met" : "MISSED"}`);
}

// Realistic generation-id-like keys (~20 characters).
const keys = Array.from(
  { length: KEY_COUNT },
  (_, i) => `gen_${i.toString(36).padStart(4, "0")}_${(Math.imul(i, 2654435761) >>> 0).toString(16)}`,
);

const baselineMs: number[] = [];
const firstMs: number[] = [];
const repeatMs: number[] = [];
const root = fs.mkdtempSync(path.join(os.tmpdir(), "bench-partitions-"));
try {
  for (let run = 0; run < RUNS; run++) {
    baselineMs.push(
      timed(() => {
        const set = new Set<string>();
        for (const key of keys) set.add(key);
        return set.size;
      }).ms,
    );

    const instance = openInstance(path.join(root, `home-${run}`));
    try {
      const first = timed(() => instance.addDynamicPartitions("gens", keys));
      const repeat = timed(() => instance.addDynamicPartitions("gens", keys));
      if (first.value !== KEY_COUNT || repeat.value !== 0) {
        throw new Error(`expected ${KEY_COUNT} then 0 added, got ${first.value} then ${repeat.value}`);
      }
      firstMs.push(first.ms);
      repeatMs.push(repeat.ms);
    } finally {
      instance.close();
    }
  }
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}

const baseline = median(baselineMs);
result(
  `add ${KEY_COUNT} new dynamic partition keys`,
  median(firstMs),
  `Set of ${KEY_COUNT} keys`,
  baseline,
  TARGET_FIRST_MS,
);
result(
  `re-add the same ${KEY_COUNT} keys (0 added)`,
  median(repeatMs),
  `Set of ${KEY_COUNT} keys`,
  baseline,
  TARGET_REPEAT_MS,
);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
