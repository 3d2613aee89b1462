import type { AnyAssetDefinition } from "../../definitions/asset.ts";
import type { Definitions } from "../../definitions/types.ts";
import type { MaterializationVersions, Storage } from "../../instance/types.ts";
import { CodeVersions } from "./code-versions.ts";

/** Why a materialized partition is stale. */
export type StaleCause =
  /** The asset's code version for the partition differs from the one it ran with. */
  | { kind: "code"; recorded: string | null; current: string | null }
  /** An upstream partition it read was materialized again with other data. */
  | { kind: "input"; asset: string; partition: string }
  /** An upstream partition it read is itself stale. */
  | { kind: "upstream"; asset: string; partition: string };

const FRESH: readonly StaleCause[] = Object.freeze([]);

/** A short label of the cause, what `assets show --stale` counts by. */
export function staleCauseLabel(cause: StaleCause): string {
  if (cause.kind === "code") return "code version changed";
  if (cause.kind === "input") return `input ${cause.asset} changed`;
  return `upstream ${cause.asset} stale`;
}

/**
 * Tells, for materialized partitions, whether they are current: stale when the asset's code
 * version changed since, or an upstream partition it read has other data now (materialized
 * again), or is stale itself. Each asset's recorded versions are read once (one storage query),
 * and each (asset, partition)'s answer is computed once, so a whole asset costs a few map
 * lookups per partition. Partitions that recorded no versions are never stale.
 */
export class Staleness {
  private readonly versions = new Map<string, Map<string, MaterializationVersions>>();
  private readonly memo = new Map<string, Map<string, readonly StaleCause[]>>();
  private readonly codeVersions: CodeVersions;

  constructor(
    private readonly defs: Definitions,
    private readonly storage: Storage,
    resourcesFor: (asset: AnyAssetDefinition) => Record<string, unknown>,
  ) {
    this.codeVersions = new CodeVersions(resourcesFor);
  }

  /** Causes of the partition's staleness; empty when current or never materialized with versions. */
  causesOf(assetKey: string, partitionKey: string): readonly StaleCause[] {
    let memo = this.memo.get(assetKey);
    if (memo === undefined) {
      memo = new Map();
      this.memo.set(assetKey, memo);
    }
    let causes = memo.get(partitionKey);
    if (causes === undefined) {
      // Marked fresh while computing, so a cycle in recorded inputs cannot recurse forever.
      memo.set(partitionKey, FRESH);
      causes = this.compute(assetKey, partitionKey);
      memo.set(partitionKey, causes);
    }
    return causes;
  }

  /** The stale partitions among `keys` with their causes, in the order of `keys`. */
  staleOf(assetKey: string, keys: Iterable<string>): Map<string, readonly StaleCause[]> {
    const out = new Map<string, readonly StaleCause[]>();
    const recorded = this.versionsOf(assetKey);
    for (const key of keys) {
      if (!recorded.has(key)) continue;
      const causes = this.causesOf(assetKey, key);
      if (causes.length > 0) out.set(key, causes);
    }
    return out;
  }

  private versionsOf(assetKey: string): Map<string, MaterializationVersions> {
    let versions = this.versions.get(assetKey);
    if (versions === undefined) {
      versions = this.storage.listPartitionVersions(assetKey);
      this.versions.set(assetKey, versions);
    }
    return versions;
  }

  private compute(assetKey: string, partitionKey: string): readonly StaleCause[] {
    const asset = this.defs.assets.get(assetKey);
    const recorded = this.versionsOf(assetKey).get(partitionKey);
    if (asset === undefined || recorded === undefined) return FRESH;
    const causes: StaleCause[] = [];
    const current = this.codeVersions.of(asset, asset.partitions === undefined ? undefined : partitionKey);
    if (current !== recorded.code) causes.push({ kind: "code", recorded: recorded.code, current });
    for (const { asset: upstream, partition, version } of recorded.inputs) {
      if (!this.defs.assets.has(upstream)) continue;
      const latest = this.versionsOf(upstream).get(partition);
      // An upstream without a record now is missing, not a cause of staleness.
      if (latest === undefined) continue;
      if (latest.data !== version) causes.push({ kind: "input", asset: upstream, partition });
      else if (this.causesOf(upstream, partition).length > 0) {
        causes.push({ kind: "upstream", asset: upstream, partition });
      }
    }
    return causes.length === 0 ? FRESH : causes;
  }
}

/** Counts of stale partitions by cause label, most frequent first, and a sample of them. */
export interface StalenessSummary {
  stale: number;
  byCause: { cause: string; count: number }[];
  sample: { partitionKey: string; causes: string[] }[];
}

export function summarizeStaleness(
  stale: ReadonlyMap<string, readonly StaleCause[]>,
  sampleSize: number,
): StalenessSummary {
  const counts = new Map<string, number>();
  const sample: StalenessSummary["sample"] = [];
  for (const [partitionKey, causes] of stale) {
    const labels = [...new Set(causes.map(staleCauseLabel))];
    for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
    if (sample.length < sampleSize) sample.push({ partitionKey, causes: causes.map(describeCause) });
  }
  const byCause = [...counts].map(([cause, count]) => ({ cause, count }));
  byCause.sort((a, b) => b.count - a.count || a.cause.localeCompare(b.cause));
  return { stale: stale.size, byCause, sample };
}

/** One cause in words, naming the partition and versions involved. */
export function describeCause(cause: StaleCause): string {
  if (cause.kind === "code")
    return `code version ${cause.recorded ?? "(none)"} -> ${cause.current ?? "(none)"}`;
  const of = cause.partition === "" ? cause.asset : `${cause.asset}[${cause.partition}]`;
  return cause.kind === "input" ? `${of} has new data` : `${of} is stale`;
}
