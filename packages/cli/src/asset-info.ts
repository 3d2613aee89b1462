/**
 * What the inspection commands (list, show, graph) say about one asset:
 * its upstream edges and its materialization state in the instance.
 */
import { type AssetDefinition, type Definitions, SelectionError } from "@daydream/core";
import type { Instance } from "@daydream/core";
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
    throw new SelectionError("unknown_asset", `unknown asset "${key}"`, {
      context: { asset: key },
      hint: `${suggestionHint(key, [...defs.assets.keys()], "asset")} (see \`assets list\`)`,
    });
  }
  return def;
}

export interface LastMaterialization {
  status: "materialized" | "failed";
  timestamp: string;
  runId: string;
  partitionKey: string | null;
}

export interface PartitionCounts {
  definition: string;
  registered: number;
  materialized: number;
  failed: number;
  missing: number;
}

export interface AssetState {
  last: LastMaterialization | null;
  partitions: PartitionCounts | null;
}

export function assetState(instance: Instance, def: AssetDefinition): AssetState {
  if (def.partitions === undefined) {
    const state = instance.storage.getAssetPartitionState(def.key);
    return {
      last: state ? { status: state.status, timestamp: state.timestamp, runId: state.runId, partitionKey: null } : null,
      partitions: null,
    };
  }
  const registered = instance.countDynamicPartitions(def.partitions.name);
  const { materialized, failed } = instance.storage.countAssetPartitionStates(def.key);
  const latest = instance.storage.latestAssetPartitionState?.(def.key);
  return {
    last: latest
      ? { status: latest.status, timestamp: latest.timestamp, runId: latest.runId, partitionKey: latest.partitionKey }
      : null,
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
