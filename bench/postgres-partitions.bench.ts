/**
 * Dynamic partitions on PostgreSQL storage (issue #11): add 100,000 new keys to a fresh instance
 * (its own schema on a throwaway local server), then the same 100,000 again (0 added). Baseline:
 * the same on SQLite storage in a temp dir, interleaved run by run in this process so that load
 * from other work falls on both alike. Median of RUNS runs each.
 * Targets (issue #11): first add < 2 s, repeat add < 1 s.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Instance, openInstance } from "../packages/core/src/index.ts";
import { PostgresStorage } from "../packages/postgres/src/index.ts";
import { startBenchPostgres } from "./postgres-server.ts";

const KEY_COUNT = 100_000;
const RUNS = 5;
const TARGET_FIRST_MS = 2000;
const TARGET_REPEAT_MS = 1000;

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

// The same generation-id-like keys (~20 characters) as partitions.bench.ts.
const keys = Array.from(
  { length: KEY_COUNT },
  (_, i) => `gen_${i.toString(36).padStart(4, "0")}_${(Math.imul(i, 2654435761) >>> 0).toString(16)}`,
);

/** Times the first and the repeated add on a fresh instance, then closes it. */
function measure(instance: Instance): { first: number; repeat: number } {
  try {
    const first = timed(() => instance.addDynamicPartitions("gens", keys));
    const repeat = timed(() => instance.addDynamicPartitions("gens", keys));
    if (first.value !== KEY_COUNT || repeat.value !== 0) {
      throw new Error(`expected ${KEY_COUNT} then 0 added, got ${first.value} then ${repeat.value}`);
    }
    return { first: first.ms, repeat: repeat.ms };
  } finally {
    instance.close();
  }
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), "bench-pg-partitions-"));
const server = await startBenchPostgres();
const sqlite = { first: [] as number[], repeat: [] as number[] };
const postgres = { first: [] as number[], repeat: [] as number[] };
try {
  for (let run = 0; run < RUNS; run++) {
    const s = measure(openInstance(path.join(root, `home-${run}`)));
    sqlite.first.push(s.first);
    sqlite.repeat.push(s.repeat);
    const storage = new PostgresStorage(server.schemaUrl(`partitions_${run}`));
    const p = measure(openInstance(path.join(root, `pg-home-${run}`), { storage }));
    postgres.first.push(p.first);
    postgres.repeat.push(p.repeat);
    console.log(
      `run ${run + 1}: sqlite ${s.first.toFixed(0)} / ${s.repeat.toFixed(0)} ms, postgres ${p.first.toFixed(0)} / ${p.repeat.toFixed(0)} ms`,
    );
  }
} finally {
  await server.stop();
  fs.rmSync(root, { recursive: true, force: true });
}

function result(figure: string, pg: number[], base: number[], target: number): void {
  const ms = median(pg);
  const baseMs = median(base);
  console.log(
    `RESULT ${figure} on PostgreSQL | median ${ms.toFixed(1)} ms | baseline the same on SQLite: median ${baseMs.toFixed(1)} ms | ratio ${(ms / baseMs).toFixed(1)}x`,
  );
  console.log(`  target < ${target} ms: ${ms < target ? "met" : "MISSED"}`);
}

result(`add ${KEY_COUNT} new dynamic partition keys`, postgres.first, sqlite.first, TARGET_FIRST_MS);
result(`re-add the same ${KEY_COUNT} keys (0 added)`, postgres.repeat, sqlite.repeat, TARGET_REPEAT_MS);
