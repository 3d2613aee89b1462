import { StorageError } from "../../errors.ts";
import type { CheckResultRecord, ListCheckResultsOptions } from "../check-records.ts";

/** Check-result input checks every Storage implementation applies the same way. */

function invalid(message: string, result: Partial<CheckResultRecord>): StorageError {
  return new StorageError("invalid_check_result", message, {
    userError: false,
    context: { asset: result.assetKey, check: result.checkName, partition: result.partitionKey },
    hint: "record results built by the engine's check runner (passed boolean, severity warn|error)",
  });
}

export function assertValidCheckResult(result: CheckResultRecord): void {
  if (typeof result.assetKey !== "string" || result.assetKey === "") {
    throw invalid("a check result needs an asset key", result);
  }
  if (typeof result.checkName !== "string" || result.checkName === "") {
    throw invalid("a check result needs a check name", result);
  }
  if (typeof result.partitionKey !== "string") {
    throw invalid('a check result needs a partition key ("" for unpartitioned assets)', result);
  }
  if (typeof result.passed !== "boolean") throw invalid("passed must be a boolean", result);
  if (result.severity !== "warn" && result.severity !== "error") {
    throw invalid(`unknown check severity "${String(result.severity)}"`, result);
  }
}

export function assertCheckOutcome(opts: ListCheckResultsOptions): void {
  if (opts.outcome !== undefined && opts.outcome !== "passed" && opts.outcome !== "failed") {
    throw new StorageError("invalid_check_filter", `unknown check outcome "${String(opts.outcome)}"`, {
      userError: false,
      hint: 'filter by outcome "passed" or "failed"',
    });
  }
}
