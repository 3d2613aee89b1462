import type { Storage, StoragePartitionWriter } from "../types.ts";

/** For storages without a writer of their own: each add runs at once, on the caller's thread. */
export function synchronousPartitionWriter(storage: Storage): StoragePartitionWriter {
  return {
    add: (name, keys) => Promise.resolve(storage.addDynamicPartitions(name, keys)),
    close: () => Promise.resolve(),
  };
}
