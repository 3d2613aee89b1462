import type { Metadata } from "../definitions/types.ts";
import type { RunStatus } from "../instance/types.ts";

/** Which partitions of the selected partitioned assets a run targets. */
export type PartitionsSelector =
  | { keys: string[] }
  /** Every registered key. */
  | "all"
  /** Registered keys without a successful materialization (or an `isMaterialized` hook saying so). */
  | "missing";

/** Progress notifications for front ends (CLI progress bar, UI). */
export type RunProgressEvent =
  | { type: "planned"; runId: string; totalSteps: number; logPath: string }
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
  | { type: "step_skipped"; assetKey: string; partitionKey: string | undefined; reason: string };

export interface StepFailure {
  assetKey: string;
  partitionKey: string | undefined;
  /** First line of the error message. */
  error: string;
  /** How to fix it: the error's hint, when it is an AssetsError that has one. */
  hint?: string;
}

export interface RunSummary {
  runId: string;
  status: RunStatus;
  totalSteps: number;
  succeeded: number;
  failed: number;
  skipped: number;
  durationMs: number;
  failures: StepFailure[];
  logPath: string;
}
