import type { AnyAssetDefinition } from "../definitions/asset.ts";
import type { Definitions } from "../definitions/types.ts";
import type { PartitionStatus, Storage } from "../instance/types.ts";
import { ioManagerOf } from "./inputs.ts";
import { StateReads, type StateUpdate } from "./inspection-cache.ts";

/** Partitions read per page when listing failed ones (failures are usually few). */
const PAGE = 10_000;

/**
 * Where every (asset, partition) stands, as `--missing`, `assets list`, `assets show` and the
 * UI all see it. When the asset's IO manager lists its stored outputs, the store is the truth
 * both ways: an output present counts as materialized, a recorded materialization whose output
 * is gone as missing. Otherwise the instance's records count, plus what the asset's
 * `isMaterialized` hook reports.
 */
export interface AssetPartitionStatuses {
  /** Registered keys in registration order (`[""]` for an unpartitioned asset). */
  readonly keys: readonly string[];
  readonly materialized: ReadonlySet<string>;
  /** Not materialized, and the latest recorded attempt failed. */
  readonly failed: ReadonlySet<string>;
  /** Recorded as materialized, but the IO manager no longer has the output. */
  readonly gone: readonly string[];
  statusOf(key: string): PartitionStatus;
  counts(): { registered: number; materialized: number; failed: number; missing: number };
}

function failedKeys(storage: Storage, assetKey: string): Set<string> {
  const keys = new Set<string>();
  for (let offset = 0; ; offset += PAGE) {
    const states = storage.listAssetPartitionStates(assetKey, { status: "failed", offset, limit: PAGE });
    for (const state of states) keys.add(state.partitionKey);
    if (states.length < PAGE) return keys;
  }
}

/** Updates a kept set of the asset's keys whose latest state is `status`. */
function withStatus(assetKey: string, status: PartitionStatus): StateUpdate<ReadonlySet<string>> {
  return (kept, changes) => {
    const next = new Set(kept);
    for (const change of changes.get(assetKey) ?? []) {
      if (change.status === status) next.add(change.partitionKey);
      else next.delete(change.partitionKey);
    }
    return next;
  };
}

/** Keys the `isMaterialized` hook reports done among those without a record. */
async function hookedKeys(
  asset: AnyAssetDefinition,
  keys: readonly string[],
  recorded: ReadonlySet<string>,
  resources: Record<string, unknown>,
): Promise<Set<string>> {
  const done = new Set(recorded);
  const hook = asset.isMaterialized;
  if (hook === undefined) return done;
  for (const key of keys) {
    if (done.has(key)) continue;
    // Most hooks answer synchronously (a file check): awaiting only promises keeps 100,000 keys fast.
    let answer = hook({ partitionKey: asset.partitions === undefined ? undefined : key, resources });
    if (typeof (answer as PromiseLike<boolean> | undefined)?.then === "function") answer = await answer;
    if (answer) done.add(key);
  }
  return done;
}

/** The statuses of the asset's registered partitions (its single partition "" when unpartitioned). */
export async function assetPartitionStatuses(
  defs: Definitions,
  storage: Storage,
  asset: AnyAssetDefinition,
  resources: Record<string, unknown>,
  reads: StateReads = new StateReads(storage),
): Promise<AssetPartitionStatuses> {
  const partitioned = asset.partitions !== undefined;
  const name = asset.partitions?.name;
  const keys =
    name === undefined ? [""] : reads.partitionKeys(name, () => storage.getDynamicPartitions(name));
  // Read before the store is listed: an output is written before its record, so a key recorded
  // here and absent from the listing really is gone (not written in between).
  const recorded: ReadonlySet<string> = partitioned
    ? reads.read(
        `materialized\u0000${asset.key}`,
        [asset.key],
        () => storage.materializedPartitionKeys(asset.key),
        {
          update: withStatus(asset.key, "materialized"),
        },
      )
    : new Set(storage.getAssetPartitionState(asset.key, "")?.status === "materialized" ? [""] : []);
  const io = ioManagerOf(defs, asset);
  // Nothing registered and nothing recorded: nothing to reconcile (and the store may not exist yet).
  const nothing = partitioned && keys.length === 0 && recorded.size === 0;
  const listed = io.storedPartitions !== undefined && !nothing;
  // Started before the failures are read, so an asynchronous listing runs meanwhile.
  const listing = listed ? io.storedPartitions!({ assetKey: asset.key, partitioned }) : undefined;
  // A copy: the failures found materialized in the store are taken out below.
  const failed = new Set(
    reads.read(`failed\u0000${asset.key}`, [asset.key], () => failedKeys(storage, asset.key), {
      update: withStatus(asset.key, "failed"),
    }),
  );
  const materialized: ReadonlySet<string> =
    listing !== undefined ? await listing : await hookedKeys(asset, keys, recorded, resources);
  for (const key of failed) if (materialized.has(key)) failed.delete(key);
  let gone: string[] | undefined;
  const statusOf = (key: string): PartitionStatus =>
    materialized.has(key) ? "materialized" : failed.has(key) ? "failed" : "missing";
  return {
    keys,
    materialized,
    failed,
    get gone() {
      gone ??= listed ? [...recorded].filter((key) => !materialized.has(key)) : [];
      return gone;
    },
    statusOf,
    counts() {
      let done = 0;
      let failures = 0;
      for (const key of keys) {
        if (materialized.has(key)) done++;
        else if (failed.has(key)) failures++;
      }
      return {
        registered: keys.length,
        materialized: done,
        failed: failures,
        missing: keys.length - done - failures,
      };
    },
  };
}
