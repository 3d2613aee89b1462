import type { CheckResultRecord } from "../../instance/check-records.ts";
import type { RunCheckCounts } from "../types.ts";

/** Adds one check result to a run's counts (a failure also to its list), as the run summary shows them. */
export function countCheckResult(counts: RunCheckCounts, r: CheckResultRecord): void {
  if (r.passed) {
    counts.passed++;
    return;
  }
  if (r.severity === "warn") counts.warned++;
  else counts.failed++;
  counts.failures.push({
    assetKey: r.assetKey,
    partitionKey: r.partitionKey === "" ? undefined : r.partitionKey,
    checkName: r.checkName,
    severity: r.severity,
    blocking: r.blocking,
    description: r.description,
  });
}
