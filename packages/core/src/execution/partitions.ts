import { validatePartitionKey } from "../definitions/partition-key.ts";
import type { AssetDefinition, Definitions } from "../definitions/types.ts";
import { PartitionError } from "../errors.ts";
import type { AssetGraph } from "../graph/asset-graph.ts";
import type { Storage } from "../instance/types.ts";
import { derivedPartitionKeys } from "./derived-targets.ts";
import type { PartitionLookups } from "./partition-lookups.ts";
import { assetPartitionStatuses } from "./partition-statuses.ts";
import { isStateSelector, stateTargets } from "./state-targets.ts";
import type { PartitionsSelector } from "./types.ts";
import { Staleness } from "./versions/staleness.ts";

/** Partition keys to run per asset; `[undefined]` is the single step of an unpartitioned asset. */
export type PartitionTargets = Map<string, ReadonlyArray<string | undefined>>;

export interface PartitionTargetArgs {
  assets: readonly AssetDefinition<unknown>[];
  selector: PartitionsSelector | undefined;
  storage: Storage;
  /** The IO managers (stored outputs) and assets (staleness) state selectors look at. */
  defs: Definitions;
  /** With both, explicit keys map upstream through partition mappings (see derivedPartitionKeys). */
  graph?: AssetGraph;
  lookups?: PartitionLookups;
  /** Resources handed to `isMaterialized` hooks (the asset's declared resources). */
  resourcesFor(asset: AssetDefinition<unknown>): Record<string, unknown>;
}

const UNPARTITIONED: ReadonlyArray<string | undefined> = Object.freeze([undefined]);
const NOTHING: ReadonlyArray<string | undefined> = Object.freeze([]);
const SELECTOR_FLAGS = "--partition KEY, --partitions K1,K2, --all-partitions or --missing";

function quote(keys: readonly string[]): string {
  return keys.map((k) => `"${k}"`).join(", ");
}

function checkSelectorFits(
  assets: readonly AssetDefinition<unknown>[],
  selector: PartitionsSelector | undefined,
): void {
  const partitioned = assets.filter((a) => a.partitions !== undefined);
  if (selector === undefined && partitioned.length > 0) {
    const names = partitioned.map((a) => `${a.key} (partitions "${a.partitions!.name}")`).join(", ");
    throw new PartitionError(
      "PARTITIONS_REQUIRED",
      `selected partitioned assets need a partition selection: ${names}`,
      {
        context: { asset: partitioned[0].key, partitions: partitioned[0].partitions!.name },
        hint: `choose partitions with ${SELECTOR_FLAGS}`,
      },
    );
  }
  // `missing` and `stale` have a meaning for unpartitioned assets too, so need no partitioned asset.
  if (selector !== undefined && !isStateSelector(selector) && partitioned.length === 0) {
    throw new PartitionError(
      "NOT_PARTITIONED",
      `partitions were given but none of the selected assets is partitioned: ${quote(assets.map((a) => a.key))}`,
      {
        context: { asset: assets[0]?.key },
        hint: "drop --partition/--partitions/--all-partitions, or select a partitioned asset",
      },
    );
  }
}

function checkedKeys(keys: unknown): string[] {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new PartitionError("NO_PARTITION_KEYS", "the partition key list is empty", {
      hint: "give at least one key, e.g. --partition KEY",
    });
  }
  for (const key of keys) validatePartitionKey(key);
  return [...new Set(keys as string[])];
}

/** Unregistered keys named in the error; the rest are counted. */
const MAX_KEYS_SHOWN = 5;

/** Above this many keys, one read of all registered keys beats a lookup per key. */
const BULK_LOOKUP_THRESHOLD = 1000;

function checkRegistered(storage: Storage, asset: AssetDefinition<unknown>, keys: readonly string[]): void {
  const name = asset.partitions!.name;
  let isRegistered = (k: string): boolean => storage.hasDynamicPartition(name, k);
  if (keys.length > BULK_LOOKUP_THRESHOLD) {
    const registered = new Set(storage.getDynamicPartitions(name));
    isRegistered = (k) => registered.has(k);
  }
  const unknown = keys.filter((k) => !isRegistered(k));
  if (unknown.length === 0) return;
  const shown = unknown.slice(0, MAX_KEYS_SHOWN);
  const more = unknown.length > shown.length ? ` and ${unknown.length - shown.length} more` : "";
  const several = unknown.length > 1;
  const add = `assets partitions add ${name} ${shown.join(" ")}${more === "" ? "" : " ..."}`;
  throw new PartitionError(
    "UNKNOWN_PARTITION",
    `partition ${several ? "keys" : "key"} ${quote(shown)}${more} not registered in dynamic partitions "${name}" (asset ${asset.key})`,
    {
      context: { asset: asset.key, partitions: name, partition: unknown[0] },
      hint: several
        ? `register them first: ${add} (or --file FILE with one key per line)`
        : `register it first: ${add}`,
    },
  );
}

/** Resolves the partition selector into the keys each selected asset runs for. */
export async function partitionTargets(args: PartitionTargetArgs): Promise<PartitionTargets> {
  const { assets, selector, storage } = args;
  checkSelectorFits(assets, selector);
  const explicit = typeof selector === "object" ? checkedKeys(selector?.keys) : undefined;
  const derived = explicit === undefined ? undefined : await derivedKeys(args, explicit);
  const targets: PartitionTargets = new Map();
  const staleness = new Staleness(args.defs, storage, args.resourcesFor);
  for (const asset of assets) {
    const name = asset.partitions?.name;
    if (name === undefined) {
      if (!isStateSelector(selector)) {
        targets.set(asset.key, UNPARTITIONED);
        continue;
      }
      const keys = await stateTargets(
        args.defs,
        storage,
        asset,
        selector,
        args.resourcesFor(asset),
        staleness,
      );
      targets.set(asset.key, keys.length === 0 ? NOTHING : UNPARTITIONED);
    } else if (explicit !== undefined) {
      const keys = derived?.get(asset.key) ?? explicit;
      checkRegistered(storage, asset, keys);
      targets.set(asset.key, keys);
    } else if (selector === "all") {
      targets.set(asset.key, storage.getDynamicPartitions(name));
    } else if (isStateSelector(selector)) {
      targets.set(
        asset.key,
        await stateTargets(args.defs, storage, asset, selector, args.resourcesFor(asset), staleness),
      );
    }
  }
  return targets;
}

/** Keys of the assets that explicit keys reach through partition mappings (see derivedPartitionKeys). */
async function derivedKeys(
  args: PartitionTargetArgs,
  explicit: readonly string[],
): Promise<Map<string, string[]>> {
  const { graph, lookups, storage } = args;
  if (graph === undefined || lookups === undefined) return new Map();
  return derivedPartitionKeys({
    graph,
    assets: args.assets,
    explicit,
    lookups,
    missing: async (asset, keys) => {
      const statuses = await assetPartitionStatuses(args.defs, storage, asset, args.resourcesFor(asset));
      return keys.filter((k) => statuses.statusOf(k) !== "materialized");
    },
  });
}

/** Short human summary of the selector for the run record, e.g. "3 keys" or "missing". */
export function describeSelector(selector: PartitionsSelector | undefined): string {
  if (selector === undefined) return "";
  if (typeof selector === "string") return selector;
  const keys = selector.keys;
  return keys.length <= 3 ? `keys: ${keys.join(", ")}` : `${keys.length} keys`;
}
