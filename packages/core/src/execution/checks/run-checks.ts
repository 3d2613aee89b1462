import type { Logger } from "pino";
import type { AnyAssetDefinition } from "../../definitions/asset.ts";
import type { AssetCheckDefinition } from "../../definitions/check-types.ts";
import type { Definitions } from "../../definitions/types.ts";
import type { AssetGraph } from "../../graph/asset-graph.ts";
import type { CheckResultRecord } from "../../instance/check-records.ts";
import type { Storage } from "../../instance/types.ts";
import type { PartitionLookups } from "../partition-lookups.ts";
import type { CheckFailure, RunCheckCounts } from "../types.ts";
import { countCheckResult } from "./check-counts.ts";
import { evaluateChecks, isBlockingFailure } from "./evaluate.ts";

export interface RunChecksArgs {
  defs: Definitions;
  graph: AssetGraph;
  storage: Storage;
  lookups: PartitionLookups;
  runId: string;
  resourcesFor(check: AssetCheckDefinition): Record<string, unknown>;
  /** Batched with the run's events. */
  record(results: CheckResultRecord[]): void;
  /**
   * Look blocking failures up per upstream partition a step reads instead of listing the
   * asset's failures once: for runs of a few steps (a queued step is a run of one), where a
   * listing per run would read every failure of the asset for each step.
   */
  readPerPartition?: boolean;
}

function label(assetKey: string, partitionKey: string): string {
  return partitionKey === "" ? assetKey : `${assetKey}[${partitionKey}]`;
}

/**
 * A run's asset checks: evaluated after each materialization, counted for the summary, and the
 * gate that keeps a step from running while a partition it depends on fails a blocking check
 * (failed in this run, or in an earlier one and not passed since).
 */
export class RunChecks implements RunCheckCounts {
  passed = 0;
  warned = 0;
  failed = 0;
  readonly failures: CheckFailure[] = [];
  /** Per asset with blocking checks: partition -> name of the blocking check it fails. */
  private readonly blockedPartitions = new Map<string, Map<string, string>>();
  /**
   * This run's verdicts for assets whose blocked partitions were not read yet (partition -> failing
   * blocking check, or null when it passes now): applied over what storage says once read, since
   * the run's own results may still be buffered. Reading is left until a downstream step asks, so
   * a run with no downstream step (a queued step) does not read at all.
   */
  private readonly pendingVerdicts = new Map<string, Map<string, string | null>>();

  constructor(private readonly args: RunChecksArgs) {}

  /** Runs the asset's checks on a partition just materialized; returns why downstream must not run, if so. */
  async afterMaterialization(
    asset: AnyAssetDefinition,
    partitionKey: string | undefined,
    value: unknown,
    log: Logger,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const checks = this.args.defs.checks?.get(asset.key);
    if (checks === undefined || checks.length === 0) return undefined;
    const results = await evaluateChecks(checks, {
      assetKey: asset.key,
      partitionKey,
      runId: this.args.runId,
      log,
      signal,
      resourcesFor: this.args.resourcesFor,
      loadValue: async () => value,
    });
    this.args.record(results);
    let blockedBy: CheckResultRecord | undefined;
    for (const r of results) {
      countCheckResult(this, r);
      if (isBlockingFailure(r)) blockedBy ??= r;
    }
    if (this.hasBlockingChecks(asset.key))
      this.noteVerdict(asset.key, partitionKey ?? "", blockedBy?.checkName ?? null);
    return blockedBy && blockedReason(blockedBy);
  }

  /** Why the step must not run: a partition it depends on fails a blocking check; else undefined. */
  blockedReason(asset: AnyAssetDefinition, partitionKey: string | undefined): string | undefined {
    for (const upstreamKey of this.args.graph.upstream(asset.key)) {
      if (!this.hasBlockingChecks(upstreamKey)) continue;
      const blocked = this.args.readPerPartition ? undefined : this.blockedOf(upstreamKey);
      if (blocked?.size === 0) continue;
      const upstream = this.args.graph.get(upstreamKey);
      const keys = this.args.lookups.upstreamPartitions(asset, upstream, partitionKey);
      // Without a key-to-key link, one bad partition must not stop every downstream partition.
      if (keys === "all") continue;
      for (const key of keys) {
        const check = blocked ? blocked.get(key) : this.blockingFailureOf(upstreamKey, key);
        if (check !== undefined) {
          return `${blockedReason({ assetKey: upstreamKey, partitionKey: key, checkName: check })}`;
        }
      }
    }
    return undefined;
  }

  private hasBlockingChecks(assetKey: string): boolean {
    return this.args.defs.checks?.get(assetKey)?.some((c) => c.blocking) ?? false;
  }

  private noteVerdict(assetKey: string, partitionKey: string, failingCheck: string | null): void {
    const blocked = this.blockedPartitions.get(assetKey);
    if (blocked === undefined) {
      let pending = this.pendingVerdicts.get(assetKey);
      if (pending === undefined) {
        pending = new Map();
        this.pendingVerdicts.set(assetKey, pending);
      }
      pending.set(partitionKey, failingCheck);
    } else applyVerdict(blocked, partitionKey, failingCheck);
  }

  /** The blocking check the partition fails (this run's verdict first, then storage's), if any. */
  private blockingFailureOf(assetKey: string, partitionKey: string): string | undefined {
    const verdict = this.pendingVerdicts.get(assetKey)?.get(partitionKey);
    if (verdict !== undefined) return verdict ?? undefined;
    for (const r of this.args.storage.listCheckResults(assetKey, { outcome: "failed", partitionKey })) {
      if (isBlockingFailure(r)) return r.checkName;
    }
    return undefined;
  }

  private blockedOf(assetKey: string): Map<string, string> {
    let blocked = this.blockedPartitions.get(assetKey);
    if (blocked === undefined) {
      blocked = new Map();
      for (const r of this.args.storage.listCheckResults(assetKey, { outcome: "failed" })) {
        if (isBlockingFailure(r) && !blocked.has(r.partitionKey)) blocked.set(r.partitionKey, r.checkName);
      }
      for (const [partitionKey, failingCheck] of this.pendingVerdicts.get(assetKey) ?? []) {
        applyVerdict(blocked, partitionKey, failingCheck);
      }
      this.pendingVerdicts.delete(assetKey);
      this.blockedPartitions.set(assetKey, blocked);
    }
    return blocked;
  }
}

function applyVerdict(blocked: Map<string, string>, partitionKey: string, failingCheck: string | null): void {
  if (failingCheck === null) blocked.delete(partitionKey);
  else blocked.set(partitionKey, failingCheck);
}

function blockedReason(r: Pick<CheckResultRecord, "assetKey" | "partitionKey" | "checkName">): string {
  return `upstream ${label(r.assetKey, r.partitionKey)} failed blocking check ${r.checkName}`;
}
