/**
 * What the inspection commands (list, show, graph) say about one asset:
 * its upstream edges and its materialization state in the instance.
 */
import {
  type AssetDefinition,
  type AssetPartitionState,
  type Definitions,
  type Instance,
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

export function assetState(instance: Instance, def: AssetDefinition): AssetState {
  const storage = instance.storage;
  if (def.partitions === undefined)
    return { latest: storage.getAssetPartitionState(def.key), partitions: null };
  const registered = instance.countDynamicPartitions(def.partitions.name);
  const { materialized, failed } = storage.countAssetPartitionStates(def.key);
  return {
    latest: storage.latestAssetPartitionState?.(def.key),
    partitions: {
      definition: def.partitions.name,
      registered,
      materialized,
      failed,
      // records may outlive a deleted key: never report a negative count
      missing: Math.max(0, registered - materialized - failed),
    },
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
