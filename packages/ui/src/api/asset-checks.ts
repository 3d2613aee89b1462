/** The checks part of the asset page: declared checks, latest outcomes per check, failing partitions. */
import type { CheckResultRecord, CheckSummary, Definitions, Storage } from "@daydream/core";

/** Failed results listed (the rest are counted in the summary). */
const FAILED_SAMPLE = 20;

export interface AssetChecks {
  declared: { name: string; severity: string; blocking: boolean; description: string | null }[];
  summary: CheckSummary[];
  /** One partition's latest results, or the first failed ones of the asset. */
  results: CheckResultRecord[];
}

export function assetChecks(
  definitions: Definitions,
  storage: Storage,
  assetKey: string,
  partitionKey?: string,
): AssetChecks {
  const declared = (definitions.checks?.get(assetKey) ?? []).map((c) => ({
    name: c.name,
    severity: c.severity,
    blocking: c.blocking,
    description: c.description ?? null,
  }));
  if (declared.length === 0) return { declared, summary: [], results: [] };
  return {
    declared,
    summary: storage.summarizeCheckResults(assetKey),
    results:
      partitionKey === undefined
        ? storage.listCheckResults(assetKey, { outcome: "failed", limit: FAILED_SAMPLE })
        : storage.listCheckResults(assetKey, { partitionKey }),
  };
}
