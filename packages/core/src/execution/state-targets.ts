import type { AnyAssetDefinition } from "../definitions/asset.ts";
import type { Definitions } from "../definitions/types.ts";
import type { Storage } from "../instance/types.ts";
import { assetPartitionStatuses } from "./partition-statuses.ts";
import type { PartitionsSelector } from "./types.ts";
import type { Staleness } from "./versions/staleness.ts";

/** Selectors that pick partitions by their state rather than by key. */
export type StateSelector = Extract<PartitionsSelector, "missing" | "stale" | "missing-or-stale">;

export function isStateSelector(selector: PartitionsSelector | undefined): selector is StateSelector {
  return selector === "missing" || selector === "stale" || selector === "missing-or-stale";
}

/**
 * The registered keys of `asset` (`""` for an unpartitioned one) a state selector runs, in
 * registration order: missing ones (not materialized, see `assetPartitionStatuses`) and/or
 * stale ones (materialized, see `Staleness`). Records whose output is gone are forgotten
 * first: the claims of a `missing` run skip recorded materializations, and these are none.
 */
export async function stateTargets(
  defs: Definitions,
  storage: Storage,
  asset: AnyAssetDefinition,
  selector: StateSelector,
  resources: Record<string, unknown>,
  staleness: Staleness,
): Promise<string[]> {
  const statuses = await assetPartitionStatuses(defs, storage, asset, resources);
  if (selector !== "stale") {
    for (const key of statuses.gone) storage.wipeAssetPartitionStates(asset.key, key);
  }
  const missing = selector !== "stale";
  const stale = selector === "missing" ? undefined : staleness.staleOf(asset.key, statuses.materialized);
  return statuses.keys.filter((key) => (statuses.materialized.has(key) ? stale?.has(key) === true : missing));
}
