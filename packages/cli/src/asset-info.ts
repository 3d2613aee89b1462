/**
 * What the inspection commands (list, show, graph) say about one asset:
 * its upstream edges and its materialization state in the instance.
 */
import {
  type AssetDefinition,
  AssetInspector,
  type AssetPartitionState,
  type Definitions,
  type Instance,
  type PartitionStatus,
  SelectionError,
} from "@daydream/core";
import { suggestionHint } from "./suggest.ts";

/** A new inspector for one command's questions, disposed when `use` ends. */
export async function withInspector<T>(
  defs: Definitions,
  instance: Instance,
  use: (inspector: AssetInspector) => Promise<T>,
): Promise<T> {
  const inspector = new AssetInspector(defs, instance.storage);
  try {
    return await use(inspector);
  } finally {
    await inspector.dispose();
  }
}

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
 * The registered partitions of an asset, as `materialize --missing` sees them (the same code
 * path: core's AssetInspector): `failed` and `missing` are what it would run, a recorded
 * materialization whose output was deleted included; `materialized` is the rest, whether
 * recorded or only found in the store.
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
  /** An unpartitioned asset's status as `--missing` sees it; null for a partitioned asset. */
  status: PartitionStatus | null;
  partitions: PartitionCounts | null;
}

export async function assetState(
  inspector: AssetInspector,
  instance: Instance,
  def: AssetDefinition,
): Promise<AssetState> {
  const storage = instance.storage;
  const statuses = await inspector.statusesOf(def.key);
  if (def.partitions === undefined) {
    return {
      latest: storage.getAssetPartitionState(def.key),
      status: statuses.statusOf(""),
      partitions: null,
    };
  }
  return {
    latest: storage.latestAssetPartitionState?.(def.key),
    status: null,
    partitions: { definition: def.partitions.name, ...statuses.counts() },
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
