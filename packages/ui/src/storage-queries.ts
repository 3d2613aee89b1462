/** Queries over the Storage interface that several endpoints share. */
import type { Storage } from "@daydream/core";

const PAGE = 10_000;

/** Keys of the partitions whose latest state is `failed`, read in pages (failures are usually few). */
export function failedPartitionKeys(storage: Storage, assetKey: string): Set<string> {
  const keys = new Set<string>();
  for (let offset = 0; ; offset += PAGE) {
    const states = storage.listAssetPartitionStates(assetKey, { status: "failed", offset, limit: PAGE });
    for (const state of states) keys.add(state.partitionKey);
    if (states.length < PAGE) return keys;
  }
}
