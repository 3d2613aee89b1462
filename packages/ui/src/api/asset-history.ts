/**
 * Recent history of one asset: the latest runs whose selection included it,
 * with what happened to the asset in each. Storage keeps events per run, so
 * the per-asset outcome is read only for runs small enough to scan quickly;
 * larger runs show their run-level counts.
 */
import type { EventRecord, Metadata, RunRecord, Storage } from "@daydream/core";
import { isCanceledStep } from "../runs/steps-index.ts";

const RUNS_SCANNED = 200;
const MAX_STEPS_TO_READ = 2_000;

export interface AssetRunOutcome {
  runId: string;
  runStatus: RunRecord["status"];
  createdAt: string;
  endedAt: string | null;
  partitionsSummary: string;
  stepCount: number;
  /** What this asset did in the run; null for runs too large to scan here. */
  outcome: {
    materialized: number;
    failed: number;
    skipped: number;
    canceled: number;
    lastMetadata: Metadata | null;
    lastError: string | null;
    lastDurationMs: number | null;
  } | null;
}

export function assetHistory(
  storage: Storage,
  assetKey: string,
  resolveRecorded: (selection: string) => { keys: string[] },
  limit: number,
): AssetRunOutcome[] {
  const out: AssetRunOutcome[] = [];
  for (const run of storage.listRuns({ limit: RUNS_SCANNED })) {
    if (out.length >= limit) break;
    if (!resolveRecorded(run.selection).keys.includes(assetKey)) continue;
    out.push({
      runId: run.runId,
      runStatus: run.status,
      createdAt: run.createdAt,
      endedAt: run.endedAt,
      partitionsSummary: run.partitionsSummary,
      stepCount: run.stepCount,
      outcome: run.stepCount <= MAX_STEPS_TO_READ ? outcomeInRun(storage, run.runId, assetKey) : null,
    });
  }
  return out;
}

function outcomeInRun(storage: Storage, runId: string, assetKey: string): AssetRunOutcome["outcome"] {
  const events = storage.getEvents(runId, { types: ["materialization", "step_failure", "step_skipped"] });
  const outcome = {
    materialized: 0,
    failed: 0,
    skipped: 0,
    canceled: 0,
    lastMetadata: null as Metadata | null,
    lastError: null as string | null,
    lastDurationMs: null as number | null,
  };
  for (const event of events) {
    if (event.assetKey !== assetKey) continue;
    count(outcome, event);
  }
  return outcome;
}

function count(outcome: NonNullable<AssetRunOutcome["outcome"]>, event: EventRecord): void {
  if (event.type === "materialization") {
    outcome.materialized++;
    outcome.lastMetadata = event.metadata ?? null;
    outcome.lastDurationMs = event.durationMs ?? null;
  } else if (event.type === "step_failure") {
    outcome.failed++;
    outcome.lastError = event.error?.message ?? null;
    outcome.lastDurationMs = event.durationMs ?? null;
  } else if (isCanceledStep(event)) {
    outcome.canceled++;
  } else {
    outcome.skipped++;
  }
}
