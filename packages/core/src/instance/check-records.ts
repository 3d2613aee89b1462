import type { CheckSeverity } from "../definitions/check-types.ts";
import type { Metadata } from "../definitions/types.ts";

/** The latest outcome of one check of one (asset, partition). */
export interface CheckResultRecord {
  assetKey: string;
  checkName: string;
  /** "" for unpartitioned assets. */
  partitionKey: string;
  /** The run whose materialization was checked; null for a check run on demand. */
  runId: string | null;
  timestamp: string;
  passed: boolean;
  /** The severity a failure has (kept for passed results too: what a failure would mean). */
  severity: CheckSeverity;
  /** Whether the check stops downstream steps when it fails with severity error. */
  blocking: boolean;
  description: string | null;
  metadata: Metadata | null;
}

/** Latest outcomes of one check over all partitions of its asset. */
export interface CheckSummary {
  checkName: string;
  passed: number;
  /** Failed with severity warn. */
  warned: number;
  /** Failed with severity error. */
  failed: number;
  /** Of `failed`, those of a blocking check. */
  blocking: number;
  /** The most recent timestamp among them. */
  lastAt: string;
}

export interface ListCheckResultsOptions {
  offset?: number;
  limit?: number;
  partitionKey?: string;
  checkName?: string;
  /** `failed` = failed with any severity. */
  outcome?: "passed" | "failed";
}
