import type { AnyAssetDefinition } from "../../definitions/asset.ts";
import type { PartitionCodeVersion } from "../../definitions/types.ts";
import { AssetsError } from "../../errors.ts";

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Current code versions of assets' partitions: the asset's `codeVersion` and its partition's
 * part (`partitionCodeVersions`, loaded once per asset), joined by "+"; null when it has neither.
 */
export class CodeVersions {
  private readonly loaded = new Map<string, PartitionCodeVersion | undefined>();

  constructor(private readonly resourcesFor: (asset: AnyAssetDefinition) => Record<string, unknown>) {}

  of(asset: AnyAssetDefinition, partitionKey: string | undefined): string | null {
    const lookup = this.lookupOf(asset);
    let part: string | undefined;
    if (lookup !== undefined && partitionKey !== undefined) {
      try {
        part = lookup(partitionKey);
      } catch (err) {
        throw codeVersionError(asset.key, err, partitionKey);
      }
    }
    if (asset.codeVersion === undefined) return part ?? null;
    return part === undefined ? asset.codeVersion : `${asset.codeVersion}+${part}`;
  }

  private lookupOf(asset: AnyAssetDefinition): PartitionCodeVersion | undefined {
    if (asset.partitionCodeVersions === undefined) return undefined;
    if (this.loaded.has(asset.key)) return this.loaded.get(asset.key);
    let lookup: PartitionCodeVersion;
    try {
      lookup = asset.partitionCodeVersions({ resources: this.resourcesFor(asset) });
    } catch (err) {
      throw codeVersionError(asset.key, err);
    }
    this.loaded.set(asset.key, lookup);
    return lookup;
  }
}

function codeVersionError(asset: string, cause: unknown, partition?: string): AssetsError {
  const of = partition === undefined ? "" : ` for partition "${partition}"`;
  const hint = (cause as { hint?: unknown } | null)?.hint;
  return new AssetsError(
    "CODE_VERSION_FAILED",
    `the partition code versions of asset ${asset} could not be read${of}: ${messageOf(cause)}`,
    {
      context: { asset, partition },
      hint:
        typeof hint === "string" && hint !== ""
          ? hint
          : `fix what partitionCodeVersions of ${asset} reads, or the function itself`,
      cause,
    },
  );
}
