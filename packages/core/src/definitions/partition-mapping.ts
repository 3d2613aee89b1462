/**
 * For one partition key of the downstream asset, the partition keys of the upstream asset it
 * depends on; undefined when the mapping cannot tell (then the downstream step waits for every
 * upstream step of its run, as without a mapping).
 */
export type PartitionLookup = (downstreamKey: string) => readonly string[] | undefined;

/** How the partitions of an asset depend on the partitions of a differently partitioned dep. */
export interface PartitionMapping {
  readonly kind: "partition-mapping";
  /** Called once per plan or lineage query (so it may read a table once); returns the lookup. */
  load(): PartitionLookup;
}

/**
 * Declares a partition mapping, e.g. "essay[Y] depends on draft[parent of Y]":
 * `partitionMappings: { draft_response: partitionMapping(() => (essay) => [parentOf(essay)]) }`.
 */
export function partitionMapping(load: () => PartitionLookup): PartitionMapping {
  if (typeof load !== "function") {
    throw new TypeError("partitionMapping(load) expects a function returning the lookup");
  }
  return Object.freeze({ kind: "partition-mapping", load });
}
