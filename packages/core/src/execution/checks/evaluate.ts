import type { Logger } from "pino";
import type { AssetCheckDefinition, CheckResult } from "../../definitions/check-types.ts";
import type { Metadata } from "../../definitions/types.ts";
import type { CheckResultRecord } from "../../instance/check-records.ts";

export interface CheckTarget {
  assetKey: string;
  partitionKey: string | undefined;
  /** The run that materialized the partition; undefined on demand. */
  runId: string | undefined;
  log: Logger;
  signal: AbortSignal;
  resourcesFor(check: AssetCheckDefinition): Record<string, unknown>;
  /** The asset's value (in memory after a materialization, else through its IO manager). */
  loadValue(): Promise<unknown>;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A check function must return `{ passed: boolean, ... }`; anything else is the check's bug. */
function shapeProblem(result: unknown): string | undefined {
  const r = result as Partial<CheckResult> | null;
  if (typeof r !== "object" || r === null || typeof r.passed !== "boolean") {
    return "the check returned no { passed: boolean } result";
  }
  if (r.severity !== undefined && r.severity !== "warn" && r.severity !== "error") {
    return `the check returned severity "${String(r.severity)}" (use "warn" or "error")`;
  }
  try {
    JSON.stringify(r.metadata ?? null);
  } catch (err) {
    return `the check's metadata is not JSON-serialisable: ${messageOf(err)}`;
  }
  return undefined;
}

/**
 * Runs each check of one (asset, partition) in order. A check that throws or returns a
 * malformed result fails with its declared severity, the error as description: a broken
 * check must not pass silently.
 */
export async function evaluateChecks(
  checks: readonly AssetCheckDefinition[],
  target: CheckTarget,
): Promise<CheckResultRecord[]> {
  let value: Promise<unknown> | undefined;
  const loadValue = (): Promise<unknown> => {
    value ??= target.loadValue();
    return value;
  };
  const out: CheckResultRecord[] = [];
  for (const check of checks) {
    // A child logger per check and partition costs more than most checks: made when used.
    let log: Logger | undefined;
    const logOf = (): Logger => {
      log ??= target.log.child({ check: check.name });
      return log;
    };
    let result: CheckResult;
    try {
      const returned = await check.check(
        Object.freeze({
          assetKey: target.assetKey,
          checkName: check.name,
          partitionKey: target.partitionKey,
          runId: target.runId,
          resources: target.resourcesFor(check),
          get log() {
            return logOf();
          },
          signal: target.signal,
          loadValue,
        }),
      );
      const problem = shapeProblem(returned);
      result = problem === undefined ? returned : { passed: false, description: problem };
    } catch (err) {
      result = { passed: false, description: `the check raised: ${messageOf(err)}` };
    }
    const record: CheckResultRecord = {
      assetKey: target.assetKey,
      checkName: check.name,
      partitionKey: target.partitionKey ?? "",
      runId: target.runId ?? null,
      timestamp: new Date().toISOString(),
      passed: result.passed,
      severity: result.severity ?? check.severity,
      blocking: check.blocking,
      description: result.description ?? null,
      metadata: (result.metadata as Metadata | undefined) ?? null,
    };
    if (!record.passed)
      logOf()[record.severity === "warn" ? "warn" : "error"](
        { description: record.description },
        "check failed",
      );
    out.push(record);
  }
  return out;
}

/** Whether a result stops the asset's downstream steps for its partition. */
export function isBlockingFailure(result: CheckResultRecord): boolean {
  return !result.passed && result.blocking && result.severity === "error";
}
