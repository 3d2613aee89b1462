import type { Logger } from "pino";
import type { Metadata } from "./types.ts";

/** How bad a failed check is: `warn` is reported; `error` also stops downstream steps when the check is blocking. */
export type CheckSeverity = "warn" | "error";

/** What a check function returns. */
export interface CheckResult {
  passed: boolean;
  /** Default: the check's declared severity. Only meaningful when `passed` is false. */
  severity?: CheckSeverity;
  /** One line saying what was found, e.g. "parsed.txt is empty". */
  description?: string;
  metadata?: Metadata;
}

/** What a check function receives. */
export interface CheckContext {
  readonly assetKey: string;
  readonly checkName: string;
  /** The partition checked; undefined for unpartitioned assets. */
  readonly partitionKey: string | undefined;
  /** The run that just materialized the partition; undefined when the check runs on demand. */
  readonly runId: string | undefined;
  readonly resources: Record<string, unknown>;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /**
   * The asset's value for this partition: the value just materialized when the check runs
   * after a materialization (no I/O), else loaded through the asset's IO manager.
   */
  loadValue(): Promise<unknown>;
}

export interface AssetCheckSpec {
  /** Identifier, unique among the checks of one asset. */
  name: string;
  /** Key of the asset checked. */
  asset: string;
  description?: string;
  /** Severity of a failure when the result names none (default "error"). */
  severity?: CheckSeverity;
  /**
   * A failed error-severity result stops the asset's downstream steps for that partition
   * (in the same run, and in later runs until the partition passes again).
   */
  blocking?: boolean;
  /** Resource keys the check reads (must be provided by the definitions). */
  resources?: string[];
  check: (ctx: CheckContext) => CheckResult | Promise<CheckResult>;
}

/** A validated check (defaults filled in). */
export interface AssetCheckDefinition extends AssetCheckSpec {
  readonly kind: "asset-check";
  readonly severity: CheckSeverity;
  readonly blocking: boolean;
  readonly resources: string[];
}
