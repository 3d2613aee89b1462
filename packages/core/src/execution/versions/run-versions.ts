import { type AnyAssetDefinition, inputAssetKeys } from "../../definitions/asset.ts";
import type { Definitions } from "../../definitions/types.ts";
import type { MaterializationInput, MaterializationVersions, Storage } from "../../instance/types.ts";
import type { PartitionLookups } from "../partition-lookups.ts";
import type { CodeVersions } from "./code-versions.ts";
import { dataVersionOf } from "./data-version.ts";

/** The upstream partitions a partition's staleness follows, per upstream asset. */
export interface VersionedUpstream {
  asset: AnyAssetDefinition;
  partitions: readonly string[];
}

/**
 * The upstream partitions whose data versions a materialization records: every value input
 * not declared `versioned: false`, and every dep, at the partitions the step depends on. An
 * upstream whose partitions the step depends on all of (no partition-to-partition link) is
 * left out: one partition cannot follow thousands.
 */
export function versionedUpstreams(
  defs: Definitions,
  lookups: PartitionLookups,
  asset: AnyAssetDefinition,
  partitionKey: string | undefined,
): VersionedUpstream[] {
  const keys: string[] = [];
  for (const { input, asset: upstream } of inputAssetKeys(asset)) {
    if (asset.ins[input].versioned !== false && !keys.includes(upstream)) keys.push(upstream);
  }
  for (const dep of asset.deps) if (!keys.includes(dep)) keys.push(dep);
  const out: VersionedUpstream[] = [];
  for (const key of keys) {
    const upstream = defs.assets.get(key);
    if (upstream === undefined) continue;
    const partitions = lookups.upstreamPartitions(asset, upstream, partitionKey);
    if (partitions !== "all") out.push({ asset: upstream, partitions });
  }
  return out;
}

/** Versions of an upstream asset read one at a time before the rest are read in one go. */
const PREFETCH_AFTER = 16;

/**
 * Builds the versions each materialization of a run records: its code version, the hash of
 * its output, and the data versions of the upstream partitions it read, taken from this run's
 * own materializations or else from the instance.
 */
export class RunVersions {
  /** Data versions known in this run: "asset\0partition" -> version. */
  private readonly known = new Map<string, string | null>();
  /** Per upstream asset, how many versions were read one by one; past PREFETCH_AFTER, all at once. */
  private readonly misses = new Map<string, number>();
  private readonly prefetched = new Set<string>();

  constructor(
    private readonly defs: Definitions,
    private readonly storage: Storage,
    private readonly lookups: PartitionLookups,
    private readonly codeVersions: CodeVersions,
  ) {}

  of(asset: AnyAssetDefinition, partitionKey: string | undefined, value: unknown): MaterializationVersions {
    const inputs: MaterializationInput[] = [];
    for (const upstream of versionedUpstreams(this.defs, this.lookups, asset, partitionKey)) {
      for (const partition of upstream.partitions) {
        inputs.push({
          asset: upstream.asset.key,
          partition,
          version: this.dataVersion(upstream.asset.key, partition),
        });
      }
    }
    const data = dataVersionOf(value);
    this.known.set(`${asset.key}\0${partitionKey ?? ""}`, data);
    return { code: this.codeVersions.of(asset, partitionKey), data, inputs };
  }

  private dataVersion(assetKey: string, partition: string): string | null {
    const id = `${assetKey}\0${partition}`;
    let version = this.known.get(id);
    if (version !== undefined) return version;
    const misses = (this.misses.get(assetKey) ?? 0) + 1;
    this.misses.set(assetKey, misses);
    if (misses > PREFETCH_AFTER && !this.prefetched.has(assetKey)) {
      // Many steps read this asset: one read of all its versions beats one round trip each.
      this.prefetched.add(assetKey);
      for (const [key, versions] of this.storage.listPartitionVersions(assetKey)) {
        const known = `${assetKey}\0${key}`;
        if (!this.known.has(known)) this.known.set(known, versions.data);
      }
      version = this.known.get(id);
      if (version !== undefined) return version;
      this.known.set(id, null);
      return null;
    }
    version = this.storage.getAssetPartitionState(assetKey, partition)?.versions?.data ?? null;
    this.known.set(id, version);
    return version;
  }
}
