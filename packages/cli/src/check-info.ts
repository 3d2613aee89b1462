/** What `assets show` tells of an asset's checks: declared checks, latest outcomes, failures. */
import type { CheckResultRecord, CheckSummary, Definitions, Storage } from "@daydream/core";
import type { Painter } from "./output/colors.ts";
import { stepLabel } from "./output/format.ts";

/** Failed partitions shown per asset (the JSON too: `assets check --json` lists them all). */
const FAILED_SAMPLE = 10;

export interface CheckInfo {
  declared: { name: string; severity: string; blocking: boolean; description: string | null }[];
  /** Latest outcomes per check over all partitions. */
  summary: CheckSummary[];
  /** The latest results of one partition (with --partition), else the first failed ones. */
  results: CheckResultRecord[];
}

export function checkInfo(
  defs: Definitions,
  storage: Storage,
  assetKey: string,
  partitionKey: string | undefined,
): CheckInfo {
  const declared = (defs.checks?.get(assetKey) ?? []).map((c) => ({
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
      partitionKey !== undefined
        ? storage.listCheckResults(assetKey, { partitionKey })
        : storage.listCheckResults(assetKey, { outcome: "failed", limit: FAILED_SAMPLE }),
  };
}

export function checkLines(info: CheckInfo, p: Painter): string[] {
  if (info.declared.length === 0) return [];
  const byName = new Map(info.summary.map((s) => [s.checkName, s]));
  const lines = ["Checks:"];
  for (const c of info.declared) {
    const s = byName.get(c.name);
    const kind = `${c.severity}${c.blocking ? ", blocking" : ""}`;
    const counts =
      s === undefined
        ? p.dim("never run")
        : `${s.passed} passed, ${s.warned > 0 ? p.yellow(`${s.warned} warned`) : "0 warned"}, ` +
          `${s.failed > 0 ? p.red(`${s.failed} failed`) : "0 failed"}`;
    lines.push(`  ${c.name} ${p.dim(`(${kind})`)}: ${counts}`);
  }
  for (const r of info.results) {
    const outcome = r.passed
      ? p.green("passed")
      : r.severity === "warn"
        ? p.yellow("warned")
        : p.red("failed");
    const what = r.description ? `: ${r.description}` : "";
    lines.push(`    ${stepLabel(r.assetKey, r.partitionKey || undefined)} ${r.checkName} ${outcome}${what}`);
  }
  return lines;
}
