import type { AnyAssetDefinition } from "../definitions/asset.ts";
import type { Definitions } from "../definitions/types.ts";
import { SelectionError } from "../errors.ts";
import type { Storage } from "../instance/types.ts";
import { type InspectionCache, StateReads } from "./inspection-cache.ts";
import { type AssetPartitionStatuses, assetPartitionStatuses } from "./partition-statuses.ts";
import { lazyResources, type RunResources } from "./resources.ts";
import { type StaleCause, Staleness } from "./versions/staleness.ts";

/**
 * What `assets list`, `assets show` and the UI ask about assets outside a run, answered the
 * way `--missing` and `--stale` see it: partition statuses (the store is the truth when the
 * IO manager lists outputs) and staleness. Answers are computed once per inspector; make one
 * per command or request, and `dispose()` it (resources hooks created are disposed). A
 * long-lived process passes the same `cache` to each: the instance reads behind the answers
 * are then kept while the states they came from do not change.
 */
export class AssetInspector {
  private readonly resources = new Map<string, RunResources>();
  private readonly statuses = new Map<string, Promise<AssetPartitionStatuses>>();
  private readonly staleness: Staleness;
  private readonly reads: StateReads;

  constructor(
    private readonly defs: Definitions,
    private readonly storage: Storage,
    cache?: InspectionCache,
  ) {
    this.reads = new StateReads(storage, cache);
    this.staleness = new Staleness(defs, storage, (asset) => this.resourcesOf(asset), this.reads);
  }

  /** Statuses of the asset's registered partitions (`""` for an unpartitioned asset). */
  statusesOf(assetKey: string): Promise<AssetPartitionStatuses> {
    let statuses = this.statuses.get(assetKey);
    if (statuses === undefined) {
      const asset = this.assetOf(assetKey);
      statuses = assetPartitionStatuses(this.defs, this.storage, asset, this.resourcesOf(asset), this.reads);
      this.statuses.set(assetKey, statuses);
    }
    return statuses;
  }

  /** The asset's stale partitions among those materialized now, with their causes. */
  async staleOf(assetKey: string): Promise<Map<string, readonly StaleCause[]>> {
    // Statuses first: an asynchronous store listing runs while staleness is computed.
    const statuses = this.statusesOf(assetKey);
    this.staleness.staleAll(assetKey);
    return this.staleness.staleOf(assetKey, (await statuses).materialized);
  }

  /** Causes of one partition's staleness ("" for an unpartitioned asset); empty when current. */
  causesOf(assetKey: string, partitionKey: string): readonly StaleCause[] {
    return this.staleness.causesOf(this.assetOf(assetKey).key, partitionKey);
  }

  async dispose(): Promise<void> {
    for (const resources of this.resources.values()) await resources.dispose();
    this.resources.clear();
  }

  private assetOf(assetKey: string): AnyAssetDefinition {
    const asset = this.defs.assets.get(assetKey);
    if (asset !== undefined) return asset;
    throw new SelectionError("UNKNOWN_ASSET", `unknown asset "${assetKey}"`, {
      context: { asset: assetKey },
      hint: "use a key from the definitions (`assets list` shows them)",
    });
  }

  private resourcesOf(asset: AnyAssetDefinition): Record<string, unknown> {
    let resources = this.resources.get(asset.key);
    if (resources === undefined) {
      resources = lazyResources(this.defs, asset);
      this.resources.set(asset.key, resources);
    }
    return resources.forAsset(asset);
  }
}
