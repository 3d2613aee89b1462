import type { AnyAssetDefinition } from "../definitions/asset.ts";
import type { Definitions } from "../definitions/types.ts";
import { PartitionError, SelectionError } from "../errors.ts";
import type { Storage } from "../instance/types.ts";
import { assetPartitionStatuses } from "./partition-statuses.ts";
import { lazyResources } from "./resources.ts";

/** The asset of `assetKey`, which must be partitioned. */
function partitionedAsset(defs: Definitions, assetKey: string): AnyAssetDefinition {
  const asset = defs.assets.get(assetKey);
  if (asset === undefined) {
    throw new SelectionError("UNKNOWN_ASSET", `unknown asset "${assetKey}"`, {
      context: { asset: assetKey },
      hint: "use a key from the definitions (`assets list` shows them)",
    });
  }
  if (asset.partitions === undefined) {
    throw new PartitionError("NOT_PARTITIONED", `asset ${assetKey} is not partitioned`, {
      context: { asset: assetKey },
      hint: "ask for the missing partitions of a partitioned asset",
    });
  }
  return asset;
}

/**
 * The registered keys of a partitioned asset that `materialize` with `partitions: "missing"`
 * would run, in registration order: those not materialized (see `assetPartitionStatuses`:
 * the IO manager's stored outputs when it lists them, else the records and the asset's
 * `isMaterialized` hook). Resources are created only when the hook reads them, and disposed
 * before returning.
 */
export async function missingPartitionKeys(
  defs: Definitions,
  instance: { readonly storage: Storage },
  assetKey: string,
): Promise<string[]> {
  const asset = partitionedAsset(defs, assetKey);
  const resources = lazyResources(defs, asset);
  try {
    const statuses = await assetPartitionStatuses(defs, instance.storage, asset, resources.forAsset(asset));
    return statuses.keys.filter((k) => !statuses.materialized.has(k));
  } finally {
    await resources.dispose();
  }
}
