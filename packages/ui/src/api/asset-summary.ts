/** The per-asset facts shown on the graph: definition, status and partition counts. */
import type {
  AssetDefinition,
  AssetInspector,
  AssetPartitionState,
  Definitions,
  Storage,
} from "@daydream/core";

export type AssetStatus = "never" | "materialized" | "failed" | "running";

export interface PartitionCounts {
  total: number;
  materialized: number;
  failed: number;
  missing: number;
}

export interface AssetSummary {
  key: string;
  group: string;
  description: string | null;
  /** Upstream asset keys whose values are passed to compute. */
  inputs: string[];
  /** Upstream asset keys that only order the run. */
  deps: string[];
  /** Name of the dynamic partitions definition, or null when unpartitioned. */
  partitions: string | null;
  io: string;
  kinds: string[];
  tags: Record<string, string>;
  codeVersion: string | null;
  status: AssetStatus;
  partitionCounts: PartitionCounts | null;
  /** Latest record: the asset's own, or its most recently recorded partition's ("" when unpartitioned). */
  latest: {
    partitionKey: string;
    status: "materialized" | "failed";
    runId: string;
    timestamp: string;
    durationMs: number | null;
  } | null;
}

export function inputKeys(def: AssetDefinition): string[] {
  return Object.entries(def.ins).map(([name, spec]) => spec.asset ?? name);
}

/**
 * Counts as `assets show` and `--missing` see them (core's AssetInspector: the store is the
 * truth, so a deleted output counts as missing).
 */
export async function partitionCounts(
  inspector: AssetInspector,
  def: AssetDefinition,
): Promise<PartitionCounts | null> {
  if (def.partitions === undefined) return null;
  const { registered, materialized, failed, missing } = (await inspector.statusesOf(def.key)).counts();
  return { total: registered, materialized, failed, missing };
}

export async function summarizeAsset(
  storage: Storage,
  inspector: AssetInspector,
  def: AssetDefinition,
  running: boolean,
): Promise<AssetSummary> {
  const counts = await partitionCounts(inspector, def);
  const state = latestState(storage, def);
  const unpartitioned =
    def.partitions === undefined ? (await inspector.statusesOf(def.key)).statusOf("") : null;
  return {
    key: def.key,
    group: def.group,
    description: def.description ?? null,
    inputs: inputKeys(def),
    deps: [...def.deps],
    partitions: def.partitions?.name ?? null,
    io: def.io,
    kinds: [...def.kinds],
    tags: { ...def.tags },
    codeVersion: def.codeVersion ?? null,
    status: assetStatus(running, counts, state, unpartitioned),
    partitionCounts: counts,
    latest:
      state === undefined
        ? null
        : {
            partitionKey: state.partitionKey,
            status: state.status,
            runId: state.runId,
            timestamp: state.timestamp,
            durationMs: state.durationMs,
          },
  };
}

/**
 * The asset's latest record. For a partitioned asset this needs the optional
 * `latestAssetPartitionState` of Storage; a backend without it shows none.
 */
export function latestState(storage: Storage, def: AssetDefinition): AssetPartitionState | undefined {
  if (def.partitions === undefined) return storage.getAssetPartitionState(def.key, "");
  return storage.latestAssetPartitionState?.(def.key);
}

function assetStatus(
  running: boolean,
  counts: PartitionCounts | null,
  state: AssetPartitionState | undefined,
  unpartitioned: "materialized" | "failed" | "missing" | null,
): AssetStatus {
  if (running) return "running";
  if (counts !== null) {
    if (counts.failed > 0) return "failed";
    return counts.materialized > 0 ? "materialized" : "never";
  }
  // A recorded value whose output was deleted is as good as never materialized.
  if (unpartitioned === "missing") return "never";
  return unpartitioned ?? state?.status ?? "never";
}

/** Asset keys of the runs still going (from the runs' recorded selections). */
export function runningAssetKeys(
  storage: Storage,
  resolveRecorded: (selection: string) => { keys: string[] },
): Set<string> {
  const running = new Set<string>();
  for (const run of storage.listRuns({ status: "started", limit: 100 })) {
    for (const key of resolveRecorded(run.selection).keys) running.add(key);
  }
  return running;
}

export function downstreamKeys(definitions: Definitions, key: string): string[] {
  const out: string[] = [];
  for (const def of definitions.assets.values()) {
    if (inputKeys(def).includes(key) || def.deps.includes(key)) out.push(def.key);
  }
  return out;
}
