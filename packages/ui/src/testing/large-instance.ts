/**
 * Fills an instance with many registered partitions and materialization
 * records through the Storage interface (as a long-running pipeline would),
 * for the paging tests and the UI benchmark.
 */
import {
  asset,
  type Definitions,
  defineDefinitions,
  dynamicPartitions,
  type EventRecord,
  type Storage,
} from "@daydream/core";

export const LARGE_ASSET = "big_asset";
export const LARGE_PARTITIONS = "big_keys";
const BATCH = 10_000;

export function largeDefinitions(): Definitions {
  const keys = dynamicPartitions(LARGE_PARTITIONS);
  const source = asset({ key: "source", group: "ingest", compute: () => 1 });
  const big = asset({ key: LARGE_ASSET, group: "big", partitions: keys, deps: ["source"], compute: () => 1 });
  const downstream = asset({
    key: "big_summary",
    group: "big",
    partitions: keys,
    ins: { [LARGE_ASSET]: {} },
    compute: () => 1,
  });
  return defineDefinitions({ assets: [source, big, downstream] });
}

export function partitionKey(i: number): string {
  return `gen_${String(i).padStart(6, "0")}`;
}

/**
 * Registers `total` keys; records a materialization for the first `materialized`
 * and a failure for the next `failed` keys, in one run.
 */
export function fillLargeInstance(
  storage: Storage,
  opts: { total: number; materialized: number; failed: number; runId?: string },
): string {
  const all: string[] = [];
  for (let i = 0; i < opts.total; i++) all.push(partitionKey(i));
  storage.addDynamicPartitions(LARGE_PARTITIONS, all);
  const runId = opts.runId ?? `large-${Date.now()}`;
  storage.createRun({
    runId,
    status: "succeeded",
    selection: LARGE_ASSET,
    partitionsSummary: "all",
    stepCount: opts.materialized + opts.failed,
    pid: process.pid,
    host: "bench",
    tags: {},
  });
  const timestamp = new Date().toISOString();
  let batch: EventRecord[] = [];
  const flush = () => {
    storage.appendEvents(batch);
    batch = [];
  };
  for (let i = 0; i < opts.materialized + opts.failed; i++) {
    const failed = i >= opts.materialized;
    batch.push({
      runId,
      type: failed ? "step_failure" : "materialization",
      assetKey: LARGE_ASSET,
      partitionKey: all[i],
      timestamp,
      durationMs: 10 + (i % 50),
      metadata: failed ? null : { chars: 1000 + i, model: "offline" },
      error: failed ? { message: `generation ${all[i]} failed: truncated response` } : null,
    });
    if (batch.length === BATCH) flush();
  }
  if (batch.length > 0) flush();
  return runId;
}
