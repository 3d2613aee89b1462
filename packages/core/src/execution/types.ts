import type { Metadata } from "../definitions/types.ts";
import type { RunHolder, RunStatus } from "../instance/types.ts";

/** Which partitions of the selected partitioned assets a run targets. */
export type PartitionsSelector =
  | { keys: string[] }
  /** Every registered key. */
  | "all"
  /** Registered keys not materialized (see `assetPartitionStatuses`). */
  | "missing"
  /** Materialized keys whose code version or inputs changed since (see `Staleness`). */
  | "stale"
  /** Both of the above. */
  | "missing-or-stale";

/** Progress notifications for front ends (CLI progress bar, UI). */
export type RunProgressEvent =
  | { type: "planned"; runId: string; totalSteps: number; logPath: string }
  /** A resource tells the user something once (see ResourceRunContext.notice). */
  | { type: "notice"; source: string; message: string }
  /** A resource's live status for the progress line; undefined clears it. */
  | { type: "status"; source: string; text: string | undefined }
  | { type: "step_start"; assetKey: string; partitionKey: string | undefined }
  | {
      type: "step_success";
      assetKey: string;
      partitionKey: string | undefined;
      durationMs: number;
      metadata: Metadata;
    }
  | {
      type: "step_failure";
      assetKey: string;
      partitionKey: string | undefined;
      durationMs: number;
      error: Error;
    }
  | { type: "step_skipped"; assetKey: string; partitionKey: string | undefined; reason: string }
  /** Another live run is materializing the step and nothing here needs it: left to that run. */
  | {
      type: "step_held";
      assetKey: string;
      partitionKey: string | undefined;
      reason: string;
      holder: RunHolder;
    }
  /** The step was materialized by another run after this one planned it: not computed again. */
  | { type: "step_done_elsewhere"; assetKey: string; partitionKey: string | undefined; reason: string }
  /** A running step stopped by the run's cancellation (or fail-fast stop): not a failure. */
  | {
      type: "step_canceled";
      assetKey: string;
      partitionKey: string | undefined;
      durationMs: number;
      reason: string;
    };

export interface StepFailure {
  assetKey: string;
  partitionKey: string | undefined;
  /** First line of the error message. */
  error: string;
  /** How to fix it: the error's hint, when it is an AssetsError that has one. */
  hint?: string;
}

/** A check that failed on a partition materialized by the run. */
export interface CheckFailure {
  assetKey: string;
  partitionKey: string | undefined;
  checkName: string;
  severity: "warn" | "error";
  /** A blocking error: the partition's downstream steps did not run. */
  blocking: boolean;
  description: string | null;
}

/** Outcomes of the checks a run evaluated. */
export interface RunCheckCounts {
  passed: number;
  /** Failed with severity warn. */
  warned: number;
  /** Failed with severity error. */
  failed: number;
  failures: CheckFailure[];
}

/** Steps a run left to one other live run. */
export interface HeldSteps extends RunHolder {
  steps: number;
}

export interface RunSummary {
  runId: string;
  status: RunStatus;
  totalSteps: number;
  succeeded: number;
  failed: number;
  /** Steps not started (an upstream step failed or was canceled, the run stopped...). */
  skipped: number;
  /**
   * Of the skipped, steps whose compute declined to start (a StepNotStartedError, e.g. a
   * spending cap reached): the run then ends failed. `notStartedReason` is the first one's reason.
   */
  notStarted: number;
  notStartedReason?: string;
  /**
   * Steps that were running when the run was canceled (or stopped by fail-fast) and ended
   * by that abort: recorded as skipped ("run canceled"), neither failed nor skipped here.
   */
  canceled: number;
  /**
   * Steps another live run was materializing, which nothing in this run needed: left to it
   * (`waitForHeld` waits for them instead). Not a failure; `heldBy` names the runs.
   */
  held: number;
  heldBy: HeldSteps[];
  /** Steps materialized by another run after this one was planned: counted done, not recomputed. */
  doneElsewhere: number;
  durationMs: number;
  failures: StepFailure[];
  /** Asset checks evaluated after the run's materializations. */
  checks: RunCheckCounts;
  logPath: string;
}
