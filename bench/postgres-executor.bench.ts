/**
 * Executor overhead on PostgreSQL storage (issue #11): materialize a trivial partitioned asset
 * (memory IO) over 10,000 partitions in one run, the instance in its own schema on a throwaway
 * local server. Baseline: the same run on SQLite storage in a temp dir, measured in the same
 * invocation, the two interleaved run by run (SQLite, PostgreSQL, SQLite, ...) so that load from
 * other work falls on both alike. Each run is a fresh child process; medians of RUNS runs.
 * Engine overhead per partition = (run wall time - bare loop awaiting the same compute) / 10,000.
 * Target (issue #11): overhead < 1 ms per partition on PostgreSQL.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  type AssetContext,
  asset,
  defineDefinitions,
  dynamicPartitions,
  materialize,
  openInstance,
} from "../packages/core/src/index.ts";
import { PostgresStorage } from "../packages/postgres/src/index.ts";
import { startBenchPostgres } from "./postgres-server.ts";

const PARTITIONS = 10_000;
const RUNS = 5;
const TARGET_OVERHEAD_MS = 1;

interface Sample {
  engineMs: number;
  baselineMs: number;
  /** CPU time (user + system, all threads, the connection's worker included) during the run. */
  cpuMs: number;
  /** Part of engineMs spent inside instance storage calls (events, claims, run record). */
  storageMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Adds the time spent in every storage method call the executor makes per step to `total.ms`. */
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

/** `--child sqlite | --child URL`: one measured run; prints its Sample as JSON. */
async function child(storageArg: string): Promise<void> {
  const items = dynamicPartitions("items");
  const compute = (ctx: Pick<AssetContext, "partitionKey">) => ctx.partitionKey!.length;
  const defs = defineDefinitions({ assets: [asset({ key: "trivial", partitions: items, compute })] });
  const keys = Array.from({ length: PARTITIONS }, (_, i) => `item_${i.toString(36).padStart(4, "0")}`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "bench-pg-executor-"));
  const instance =
    storageArg === "sqlite"
      ? openInstance(home)
      : openInstance(home, { storage: new PostgresStorage(storageArg) });
  try {
    instance.addDynamicPartitions(items, keys);
    let start = performance.now();
    let sum = 0;
    for (const partitionKey of keys) sum += await compute({ partitionKey });
    const baselineMs = performance.now() - start;
    if (sum === 0) throw new Error("baseline computed nothing");

    const storage = timeStorage(instance.storage);
    start = performance.now();
    const cpu = process.cpuUsage();
    const summary = await materialize(defs, { instance, selection: "trivial", partitions: "all" });
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
    const sample: Sample = { engineMs, baselineMs, cpuMs: (user + system) / 1000, storageMs: storage.ms };
    console.log(JSON.stringify(sample));
  } finally {
    instance.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

function runChild(storageArg: string): Sample {
  const res = spawnSync(process.execPath, ["--import", "tsx", import.meta.filename, "--child", storageArg], {
    encoding: "utf8",
  });
  if (res.status !== 0) throw new Error(`bench child failed (${res.status ?? res.signal}): ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split("\n").at(-1)!) as Sample;
}

async function parent(): Promise<void> {
  const server = await startBenchPostgres();
  const sqlite: Sample[] = [];
  const postgres: Sample[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      sqlite.push(runChild("sqlite"));
      postgres.push(runChild(server.schemaUrl(`executor_${run}`)));
      console.log(
        `run ${run + 1}: sqlite ${sqlite[run].engineMs.toFixed(0)} ms, postgres ${postgres[run].engineMs.toFixed(0)} ms`,
      );
    }
  } finally {
    await server.stop();
  }
  const overhead = (s: Sample) => (s.engineMs - s.baselineMs) / PARTITIONS;
  const figures: Array<[string, (s: Sample) => number, string, number]> = [
    [`materialize ${PARTITIONS} partitions, one run: wall time`, (s) => s.engineMs, "ms", 0],
    ["engine overhead per partition", overhead, "ms", 4],
    ["CPU time of the run (user + system, all threads)", (s) => s.cpuMs, "ms", 0],
    ["instance storage calls per partition", (s) => s.storageMs / PARTITIONS, "ms", 4],
  ];
  for (const [what, of, unit, digits] of figures) {
    const pg = median(postgres.map(of));
    const base = median(sqlite.map(of));
    console.log(
      `RESULT ${what} on PostgreSQL | median ${pg.toFixed(digits)} ${unit} | baseline the same on SQLite: median ${base.toFixed(digits)} ${unit} | ratio ${(pg / base).toFixed(2)}x`,
    );
  }
  const perPartition = median(postgres.map(overhead));
  console.log(
    `  target < ${TARGET_OVERHEAD_MS} ms per partition: ${perPartition < TARGET_OVERHEAD_MS ? "met" : "MISSED"}`,
  );
}

const [mode, storageArg] = process.argv.slice(2);
if (mode === "--child") await child(storageArg);
else await parent();
