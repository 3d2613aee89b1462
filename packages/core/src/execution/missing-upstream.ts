import type { AnyAssetDefinition } from "../definitions/asset.ts";
import type { Definitions } from "../definitions/types.ts";
import type { AssetGraph } from "../graph/asset-graph.ts";
import type { Storage } from "../instance/types.ts";
import { AssetInspector } from "./asset-inspector.ts";
import type { PartitionLookups } from "./partition-lookups.ts";

/** Partition keys to add per asset outside the selection ("" for an unpartitioned asset). */
export type UpstreamTargets = Map<string, string[]>;

function upstreamsOf(defs: Definitions, asset: AnyAssetDefinition): AnyAssetDefinition[] {
  const keys = new Set([
    ...Object.entries(asset.ins).map(([name, spec]) => spec.asset ?? name),
    ...asset.deps,
  ]);
  return [...keys].map((k) => defs.assets.get(k)).filter((a): a is AnyAssetDefinition => a !== undefined);
}

/**
 * For a `missing` run: the partitions of unselected upstream assets that the run's missing
 * steps read and that are missing too (their output deleted, say: the prompt of a response),
 * found transitively, so the run makes them first instead of failing each step with
 * "materialize X first". Only partition-to-partition links are followed (same partitions, a
 * partition mapping, or an unpartitioned upstream); an upstream read whole is left alone.
 * With `explicitKeys` (`--partition X`), the walk starts from those keys of the selected
 * partitioned assets instead: `+evaluation_response --partition X` builds X's missing essay
 * and draft first.
 */
export async function missingUpstreamTargets(
  defs: Definitions,
  graph: AssetGraph,
  selected: readonly string[],
  storage: Storage,
  lookups: PartitionLookups,
  explicitKeys?: readonly string[],
): Promise<UpstreamTargets> {
  const inspector = new AssetInspector(defs, storage);
  const chosen = new Set(selected);
  const added: UpstreamTargets = new Map();
  try {
    const queue: Array<{ asset: AnyAssetDefinition; key: string }> = [];
    for (const key of selected) {
      const asset = graph.get(key);
      if (explicitKeys !== undefined) {
        if (asset.partitions !== undefined) for (const k of explicitKeys) queue.push({ asset, key: k });
        continue;
      }
      const statuses = await inspector.statusesOf(key);
      for (const k of statuses.keys) if (!statuses.materialized.has(k)) queue.push({ asset, key: k });
    }
    const seen = new Set<string>();
    const registered = new Map<string, Set<string>>();
    const goneOf = new Map<string, Set<string>>();
    while (queue.length > 0) {
      const { asset, key } = queue.pop()!;
      const partition = asset.partitions === undefined ? undefined : key;
      for (const upstream of upstreamsOf(defs, asset)) {
        if (chosen.has(upstream.key)) continue;
        const partitions = lookups.upstreamPartitions(asset, upstream, partition);
        if (partitions === "all") continue;
        const statuses = await inspector.statusesOf(upstream.key);
        let known = registered.get(upstream.key);
        if (known === undefined) {
          known = new Set(statuses.keys);
          registered.set(upstream.key, known);
          goneOf.set(upstream.key, new Set(statuses.gone));
        }
        for (const p of partitions) {
          const id = `${upstream.key}\0${p}`;
          if (seen.has(id) || statuses.materialized.has(p) || !known.has(p)) continue;
          seen.add(id);
          // The claims of a missing run skip recorded materializations: this one's output is gone.
          if (goneOf.get(upstream.key)!.has(p)) storage.wipeAssetPartitionStates(upstream.key, p);
          const list = added.get(upstream.key) ?? [];
          list.push(p);
          added.set(upstream.key, list);
          queue.push({ asset: upstream, key: p });
        }
      }
    }
  } finally {
    await inspector.dispose();
  }
  return added;
}
