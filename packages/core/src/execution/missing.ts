import type { AssetDefinition, Definitions } from "../definitions/types.ts";
import { PartitionError, SelectionError } from "../errors.ts";
import type { Storage } from "../instance/types.ts";
import { lazyResources } from "./resources.ts";

/**
 * The candidates not materialized: no successful latest materialization recorded, and no
 * `isMaterialized` hook saying the value exists anyway. What a `missing` run targets.
 */
export async function unmaterialized<K extends string | undefined>(
  asset: AssetDefinition<unknown>,
  candidates: Iterable<K>,
  recorded: (key: K) => boolean,
  resources: Record<string, unknown>,
): Promise<K[]> {
  const hook = asset.isMaterialized;
  const out: K[] = [];
  for (const partitionKey of candidates) {
    if (recorded(partitionKey)) continue;
    if (hook) {
      // Most hooks answer synchronously (a file check): awaiting only promises keeps 100,000 keys fast.
      let answer = hook({ partitionKey, resources });
      if (typeof (answer as PromiseLike<boolean> | undefined)?.then === "function") answer = await answer;
      if (answer) continue;
    }
    out.push(partitionKey);
  }
  return out;
}

/**
 * The registered keys of a partitioned asset that `materialize` with `partitions: "missing"`
 * would run, in registration order: those without a successful latest materialization that
 * the asset's `isMaterialized` hook (if any) does not report as materialized. Resources are
 * created only when the hook reads them, and disposed before returning.
 */
export async function missingPartitionKeys(
  defs: Definitions,
  instance: { readonly storage: Storage },
  assetKey: string,
): Promise<string[]> {
  const asset = defs.assets.get(assetKey);
  if (asset === undefined) {
    throw new SelectionError("UNKNOWN_ASSET", `unknown asset "${assetKey}"`, {
      context: { asset: assetKey },
      hint: "use a key from the definitions (`assets list` shows them)",
    });
  }
  const name = asset.partitions?.name;
  if (name === undefined) {
    throw new PartitionError("NOT_PARTITIONED", `asset ${assetKey} is not partitioned`, {
      context: { asset: assetKey },
      hint: "ask for the missing partitions of a partitioned asset",
    });
  }
  const { storage } = instance;
  const materialized = storage.materializedPartitionKeys(assetKey);
  const resources = lazyResources(defs, asset);
  try {
    return await unmaterialized(
      asset,
      storage.getDynamicPartitions(name),
      (k) => materialized.has(k),
      resources.forAsset(asset),
    );
  } finally {
    await resources.dispose();
  }
}
