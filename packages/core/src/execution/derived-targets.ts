import type { AnyAssetDefinition } from "../definitions/asset.ts";
import { PartitionError } from "../errors.ts";
import type { AssetGraph } from "../graph/asset-graph.ts";
import type { PartitionLookups } from "./partition-lookups.ts";

/** Whether `downstream` reaches `upstream` partition by partition (same definition, or a mapping). */
function partitionLinked(downstream: AnyAssetDefinition, upstream: AnyAssetDefinition): boolean {
  const from = upstream.partitions?.name;
  const to = downstream.partitions?.name;
  if (from === undefined || to === undefined) return false;
  return from === to || downstream.partitionMappings?.[upstream.key] !== undefined;
}

export interface DerivedKeysArgs {
  graph: AssetGraph;
  /** The selected assets, in topological order. */
  assets: readonly AnyAssetDefinition[];
  explicit: readonly string[];
  lookups: PartitionLookups;
  /** The given keys of the asset that are not materialized now. */
  missing(asset: AnyAssetDefinition, keys: string[]): Promise<string[]>;
}

/**
 * With explicit partition keys, a selected asset that a selected downstream asset reaches
 * through a partition mapping (directly, or through assets partitioned like one so reached)
 * runs for the missing partitions those keys map to, not for the keys themselves:
 * `*evaluation_response --partition X` builds X's essay and draft when they do not exist.
 * Returns the keys of each such asset (possibly none); every other selected asset takes the
 * explicit keys. (Unselected parents are `missingUpstreamTargets`' job.)
 */
export async function derivedPartitionKeys(args: DerivedKeysArgs): Promise<Map<string, string[]>> {
  const { graph, explicit, lookups } = args;
  const byKey = new Map(args.assets.map((a) => [a.key, a]));
  const derived = new Map<string, string[]>();
  const plannedKeys = (asset: AnyAssetDefinition): readonly string[] | undefined =>
    derived.get(asset.key) ?? (asset.partitions ? explicit : undefined);
  // Downstream first: an asset's keys are known once every asset below it has its own.
  for (const asset of [...args.assets].reverse()) {
    if (asset.partitions === undefined) continue;
    let wanted: Set<string> | undefined;
    for (const downstreamKey of graph.downstream(asset.key)) {
      const downstream = byKey.get(downstreamKey);
      if (downstream === undefined || !partitionLinked(downstream, asset)) continue;
      const keys = plannedKeys(downstream);
      if (keys === undefined) continue;
      const mapped = downstream.partitions!.name !== asset.partitions.name;
      // A selected asset partitioned like a selected downstream keeps the explicit keys.
      if (!mapped && !derived.has(downstreamKey)) continue;
      wanted ??= new Set();
      for (const k of keys) {
        const upstreamKeys = mapped ? lookups.upstreamPartitions(downstream, asset, k) : [k];
        if (upstreamKeys === "all") throw unknownMapping(downstream.key, asset.key, k);
        for (const u of upstreamKeys) wanted.add(u);
      }
    }
    if (wanted !== undefined) derived.set(asset.key, await args.missing(asset, [...wanted]));
  }
  return derived;
}

function unknownMapping(asset: string, upstream: string, partition: string): PartitionError {
  return new PartitionError(
    "PARTITION_MAPPING_UNKNOWN",
    `cannot tell which partitions of ${upstream} partition "${partition}" of ${asset} depends on`,
    {
      context: { asset, upstream, partition },
      hint: `materialize what the mapping reads first (e.g. the task tables), or select ${upstream} with its own --partition`,
    },
  );
}
