import type { AnyAssetDefinition } from "../definitions/asset.ts";
import type { PartitionLookup } from "../definitions/partition-mapping.ts";
import { PartitionError } from "../errors.ts";

/** Upstream partition keys a downstream partition depends on; "all" when no key-to-key link is known. */
export type UpstreamPartitions = readonly string[] | "all";

/** "" stands for the single partition of an unpartitioned asset. */
const WHOLE: readonly string[] = Object.freeze([""]);

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function hintOf(err: unknown): string | undefined {
  const hint = (err as { hint?: unknown } | null)?.hint;
  return typeof hint === "string" && hint !== "" ? hint : undefined;
}

/**
 * Partition-to-partition links between assets, with each declared mapping loaded once (a plan
 * or a lineage query asks it for thousands of keys).
 */
export class PartitionLookups {
  private readonly loaded = new Map<string, PartitionLookup>();

  /** Which partitions of `upstream` the `partitionKey` partition of `downstream` depends on. */
  upstreamPartitions(
    downstream: AnyAssetDefinition,
    upstream: AnyAssetDefinition,
    partitionKey: string | undefined,
  ): UpstreamPartitions {
    if (upstream.partitions === undefined) return WHOLE;
    if (partitionKey === undefined) return "all";
    if (upstream.partitions.name === downstream.partitions?.name) return [partitionKey];
    const lookup = this.lookupOf(downstream, upstream.key);
    if (lookup === undefined) return "all";
    try {
      return lookup(partitionKey) ?? "all";
    } catch (err) {
      throw mappingError(downstream.key, upstream.key, err, partitionKey);
    }
  }

  /** Whether `downstream` declares a mapping for its dep `upstreamKey`. */
  hasMapping(downstream: AnyAssetDefinition, upstreamKey: string): boolean {
    return downstream.partitionMappings?.[upstreamKey] !== undefined;
  }

  private lookupOf(downstream: AnyAssetDefinition, upstreamKey: string): PartitionLookup | undefined {
    const mapping = downstream.partitionMappings?.[upstreamKey];
    if (mapping === undefined) return undefined;
    const id = `${downstream.key}\0${upstreamKey}`;
    let lookup = this.loaded.get(id);
    if (lookup === undefined) {
      try {
        lookup = mapping.load();
      } catch (err) {
        throw mappingError(downstream.key, upstreamKey, err);
      }
      this.loaded.set(id, lookup);
    }
    return lookup;
  }
}

function mappingError(asset: string, upstream: string, cause: unknown, partition?: string): PartitionError {
  const of = partition === undefined ? "" : ` for partition "${partition}"`;
  return new PartitionError(
    "PARTITION_MAPPING_FAILED",
    `the partition mapping of asset ${asset} to ${upstream} failed${of}: ${messageOf(cause)}`,
    {
      context: { asset, upstream, partition },
      hint: hintOf(cause) ?? `fix the data the mapping of ${asset} reads, or the mapping itself`,
      cause,
    },
  );
}
