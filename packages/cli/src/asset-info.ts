/**
 * What the inspection commands (list, show, graph) say about one asset:
 * its upstream edges and its materialization state in the instance.
 */
import {
  type AssetDefinition,
  type AssetPartitionState,
  type Definitions,
  type Instance,
  missingPartitionKeys,
  SelectionError,
} from "@daydream/core";
import { suggestionHint } from "./suggest.ts";

export interface UpstreamEdge {
  asset: string;
  /** "input" passes the value to compute; "dep" only orders the steps. */
  kind: "input" | "dep";
}

export function upstreamEdges(def: AssetDefinition): UpstreamEdge[] {
  const edges: UpstreamEdge[] = Object.entries(def.ins).map(([name, input]) => ({
    asset: input.asset ?? name,
    kind: "input",
  }));
  for (const dep of def.deps) {
    if (!edges.some((e) => e.asset === dep)) edges.push({ asset: dep, kind: "dep" });
  }
  return edges;
}

export function requireAsset(defs: Definitions, key: string): AssetDefinition {
  const def = defs.assets.get(key);
  if (def === undefined) {
    throw new SelectionError("UNKNOWN_ASSET", `unknown asset "${key}"`, {
      context: { asset: key },
      hint: `${suggestionHint(key, [...defs.assets.keys()], "asset")} (see \`assets list\`)`,
    });
  }
  return def;
}

/**
 * The registered partitions of an asset, as `materialize --missing` sees them: `failed` and
 * `missing` (never materialized) are what it would run; `materialized` is the rest, whether
 * recorded or reported by the asset's `isMaterialized` hook (e.g. files kept after a wipe).
 */
export interface PartitionCounts {
  definition: string;
  registered: number;
  materialized: number;
  failed: number;
  missing: number;
}

export interface AssetState {
  /** Latest recorded outcome (of any partition, for a partitioned asset). */
  latest: AssetPartitionState | undefined;
  partitions: PartitionCounts | null;
}

async function partitionCounts(
  defs: Definitions,
  instance: Instance,
  def: AssetDefinition,
  partitions: string,
): Promise<PartitionCounts> {
  const storage = instance.storage;
  const registered = instance.countDynamicPartitions(partitions);
  const toRun = await missingPartitionKeys(defs, instance, def.key);
  let failed = 0;
  if (toRun.length > 0 && storage.countAssetPartitionStates(def.key).failed > 0) {
    const failedKeys = new Set(
      storage.listAssetPartitionStates(def.key, { status: "failed" }).map((s) => s.partitionKey),
    );
    for (const key of toRun) if (failedKeys.has(key)) failed++;
  }
  return {
    definition: partitions,
    registered,
    materialized: registered - toRun.length,
    failed,
    missing: toRun.length - failed,
  };
}

export async function assetState(
  defs: Definitions,
  instance: Instance,
  def: AssetDefinition,
): Promise<AssetState> {
  const storage = instance.storage;
  if (def.partitions === undefined)
    return { latest: storage.getAssetPartitionState(def.key), partitions: null };
  return {
    latest: storage.latestAssetPartitionState?.(def.key),
    partitions: await partitionCounts(defs, instance, def, def.partitions.name),
  };
}

/** The part of a state `list --json` reports. */
export function lastMaterializationJson(state: AssetPartitionState | undefined) {
  if (state === undefined) return null;
  return {
    status: state.status,
    timestamp: state.timestamp,
    runId: state.runId,
    partitionKey: state.partitionKey === "" ? null : state.partitionKey,
  };
}
