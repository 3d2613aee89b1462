import { type AnyAssetDefinition, inputAssetKeys } from "../../definitions/asset.ts";
import type { Definitions } from "../../definitions/types.ts";
import type {
  AssetStateChange,
  InputMismatch,
  PartitionRef,
  RecordedCodeVersion,
  Storage,
} from "../../instance/types.ts";
import { StateReads, type StateUpdate } from "../inspection-cache.ts";
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
 * again), or is stale itself. Answers are computed for a whole asset at once and kept: its
 * declared upstream assets first, then the database compares the recorded inputs with the
 * upstream's latest data versions (`listInputMismatches`), so at 100,000 partitions only the
 * mismatches reach JavaScript; the code versions are compared in the database too when the
 * asset's is the same for every partition. Partitions that recorded no versions are never stale.
 * Upstream staleness follows the declared inputs and deps: an input recorded from an asset
 * that is no longer declared upstream can make a partition stale by its data, not by its own
 * staleness.
 */
export class Staleness {
  private readonly stale = new Map<string, Map<string, readonly StaleCause[]>>();
  private readonly codeVersions: CodeVersions;

  constructor(
    private readonly defs: Definitions,
    private readonly storage: Storage,
    resourcesFor: (asset: AnyAssetDefinition) => Record<string, unknown>,
    private readonly reads: StateReads = new StateReads(storage),
  ) {
    this.codeVersions = new CodeVersions(resourcesFor);
  }

  /** Causes of the partition's staleness; empty when current or never materialized with versions. */
  causesOf(assetKey: string, partitionKey: string): readonly StaleCause[] {
    return this.staleAll(assetKey).get(partitionKey) ?? FRESH;
  }

  /** The stale partitions among `keys` with their causes, in the order of `keys`. */
  staleOf(assetKey: string, keys: Iterable<string>): Map<string, readonly StaleCause[]> {
    const all = this.staleAll(assetKey);
    const out = new Map<string, readonly StaleCause[]>();
    if (all.size === 0) return out;
    for (const key of keys) {
      const causes = all.get(key);
      if (causes !== undefined) out.set(key, causes);
    }
    return out;
  }

  /** Every stale partition of the asset (whatever the store holds now), with its causes. */
  staleAll(assetKey: string): Map<string, readonly StaleCause[]> {
    let stale = this.stale.get(assetKey);
    if (stale === undefined) {
      // Empty while computing, so a cycle through the declared upstream cannot recurse forever.
      this.stale.set(assetKey, new Map());
      stale = this.compute(assetKey);
      this.stale.set(assetKey, stale);
    }
    return stale;
  }

  private compute(assetKey: string): Map<string, readonly StaleCause[]> {
    const out = new Map<string, StaleCause[]>();
    const asset = this.defs.assets.get(assetKey);
    if (asset === undefined) return out;
    const causesFor = (key: string): StaleCause[] => {
      let causes = out.get(key);
      if (causes === undefined) {
        causes = [];
        out.set(key, causes);
      }
      return causes;
    };
    for (const [key, recorded, current] of this.changedCodeVersions(asset)) {
      causesFor(key).push({ kind: "code", recorded, current });
    }
    const staleUpstream: PartitionRef[] = [];
    for (const upstream of declaredUpstream(asset)) {
      if (!this.defs.assets.has(upstream)) continue;
      for (const partition of this.staleAll(upstream).keys())
        staleUpstream.push({ asset: upstream, partition });
    }
    // Recorded inputs may name any asset: the answer holds while no asset's states change.
    const mismatches = this.reads.read(
      `inputs\u0000${assetKey}`,
      [...this.defs.assets.keys()],
      () => this.storage.listInputMismatches(assetKey, staleUpstream),
      { variant: JSON.stringify(staleUpstream), update: this.mismatchUpdate(assetKey, staleUpstream) },
    );
    for (const m of mismatches) {
      if (!this.defs.assets.has(m.asset)) continue;
      const kind = m.changed ? "input" : "upstream";
      causesFor(m.partitionKey).push({ kind, asset: m.asset, partition: m.partition });
    }
    return out;
  }

  /** `[partition, recorded, current]` of the partitions whose code version changed. */
  private changedCodeVersions(asset: AnyAssetDefinition): [string, string | null, string | null][] {
    const changed: [string, string | null, string | null][] = [];
    if (asset.partitions === undefined || asset.partitionCodeVersions === undefined) {
      const current = this.codeVersions.of(asset, undefined);
      for (const { code, partitions } of this.recordedCodeVersions(asset.key, { code: current })) {
        for (const key of partitions) changed.push([key, code, current]);
      }
      return changed;
    }
    for (const { code, partitions } of this.recordedCodeVersions(asset.key)) {
      for (const key of partitions) {
        const current = this.codeVersions.of(asset, key);
        if (current !== code) changed.push([key, code, current]);
      }
    }
    return changed;
  }

  private recordedCodeVersions(assetKey: string, otherThan?: { code: string | null }): RecordedCodeVersion[] {
    return this.reads.read(
      `code\u0000${assetKey}`,
      [assetKey],
      () => this.storage.listRecordedCodeVersions(assetKey, otherThan),
      {
        variant: otherThan === undefined ? "*" : JSON.stringify(otherThan.code),
        update: (kept, changes) => regroupCodeVersions(kept, changes.get(assetKey) ?? [], otherThan),
      },
    );
  }

  /**
   * Kept mismatches brought up to date by comparing again only the partitions that changed and
   * those that read an upstream partition that changed (the storage finds them).
   */
  private mismatchUpdate(
    assetKey: string,
    staleUpstream: readonly PartitionRef[],
  ): StateUpdate<InputMismatch[]> {
    return (kept, changes) => {
      if (this.storage.listInputMismatchesIn === undefined) return undefined;
      const partitions: string[] = [];
      const inputs: PartitionRef[] = [];
      for (const [asset, changed] of changes) {
        for (const { partitionKey } of changed) {
          if (asset === assetKey) partitions.push(partitionKey);
          else inputs.push({ asset, partition: partitionKey });
        }
      }
      const scoped = this.storage.listInputMismatchesIn(assetKey, staleUpstream, { partitions, inputs });
      const compared = new Set(scoped.partitions);
      return [...kept.filter((m) => !compared.has(m.partitionKey)), ...scoped.mismatches];
    };
  }
}

/** Kept code-version groups with the changed partitions moved to the group of their latest versioned success. */
function regroupCodeVersions(
  kept: readonly RecordedCodeVersion[],
  changes: readonly AssetStateChange[],
  otherThan: { code: string | null } | undefined,
): RecordedCodeVersion[] {
  const changed = new Set(changes.map((c) => c.partitionKey));
  const groups = new Map<string | null, string[]>();
  for (const { code, partitions } of kept)
    groups.set(
      code,
      partitions.filter((key) => !changed.has(key)),
    );
  for (const change of changes) {
    if (!change.versioned || (otherThan !== undefined && change.code === otherThan.code)) continue;
    let group = groups.get(change.code);
    if (group === undefined) {
      group = [];
      groups.set(change.code, group);
    }
    group.push(change.partitionKey);
  }
  return [...groups]
    .filter(([, partitions]) => partitions.length > 0)
    .map(([code, partitions]) => ({ code, partitions }));
}

function declaredUpstream(asset: AnyAssetDefinition): Set<string> {
  return new Set([...inputAssetKeys(asset).map((i) => i.asset), ...asset.deps]);
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
