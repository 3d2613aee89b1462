import type { AnyAssetDefinition } from "../definitions/asset.ts";
import { PartitionError } from "../errors.ts";
import type { AssetGraph } from "../graph/asset-graph.ts";
import type { PartitionLookups } from "./partition-lookups.ts";

/**
 * With explicit partition keys, the selected assets that a selected downstream asset reaches
 * through a partition mapping (directly, or through assets partitioned like it) run for the
 * partitions those keys map to, not for the keys themselves: `+evaluation_response
 * --partition X` runs the essay and the draft X descends from. Returns the keys of each such
 * asset, in order of first appearance; the other selected assets take the explicit keys.
 */
export function derivedPartitionKeys(
  graph: AssetGraph,
  assets: readonly AnyAssetDefinition[],
  explicit: readonly string[],
  lookups: PartitionLookups,
): Map<string, string[]> {
  const selected = new Map(assets.map((a) => [a.key, a]));
  const derived = new Map<string, Set<string>>();
  const keysOf = (asset: AnyAssetDefinition): Iterable<string> => derived.get(asset.key) ?? explicit;
  // Downstream first: an asset's keys are known once every selected asset below it has its own.
  for (const asset of [...assets].reverse()) {
    const name = asset.partitions?.name;
    if (name === undefined) continue;
    let keys: Set<string> | undefined;
    const add = (k: string): void => {
      keys ??= new Set();
      keys.add(k);
    };
    for (const downstreamKey of graph.downstream(asset.key)) {
      const downstream = selected.get(downstreamKey);
      if (downstream?.partitions === undefined) continue;
      if (downstream.partitions.name === name) {
        if (derived.has(downstreamKey)) for (const k of derived.get(downstreamKey)!) add(k);
      } else if (lookups.hasMapping(downstream, asset.key)) {
        for (const k of keysOf(downstream)) {
          const mapped = lookups.upstreamPartitions(downstream, asset, k);
          if (mapped === "all") throw unknownMapping(downstream.key, asset.key, k);
          for (const m of mapped) add(m);
        }
      }
    }
    if (keys !== undefined) derived.set(asset.key, keys);
  }
  return new Map([...derived].map(([key, keys]) => [key, [...keys]]));
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
