/**
 * Per-stage progress of a cohort, as `assets show` and `--missing` count the stage's response
 * asset (core's AssetInspector, the same code path): done (materialized: its parsed.txt is in
 * the gens store), failed (its latest attempt failed and nothing was written since), pending
 * (the rest). Without the response asset in the definitions, done is what the scan found.
 */
import type { AssetInspector, Definitions } from "@daydream/core";
import { STAGES, type Stage } from "./ids.ts";
import type { MemberRow } from "./membership.ts";
import type { GensScan } from "./scan.ts";

/** The asset that produces each stage's generations (packages/assets). */
export const STAGE_ASSETS: Record<Stage, string> = {
  draft: "draft_response",
  essay: "essay_response",
  evaluation: "evaluation_response",
};

export interface StageProgress {
  stage: Stage;
  /** The stage's response asset, or null when the definitions have none. */
  asset: string | null;
  members: number;
  done: number;
  failed: number;
  pending: number;
}

export async function stageProgress(
  rows: MemberRow[],
  scan: GensScan,
  inspector: AssetInspector,
  definitions: Definitions,
): Promise<StageProgress[]> {
  const out: StageProgress[] = [];
  for (const stage of STAGES) {
    const asset = definitions.assets.has(STAGE_ASSETS[stage]) ? STAGE_ASSETS[stage] : null;
    const statuses = asset === null ? undefined : await inspector.statusesOf(asset);
    const doneKeys = statuses?.materialized ?? scan.done[stage];
    const failedKeys = statuses?.failed ?? new Set<string>();
    let members = 0;
    let done = 0;
    let failed = 0;
    for (const row of rows) {
      if (row.stage !== stage) continue;
      members++;
      if (doneKeys.has(row.genId)) done++;
      else if (failedKeys.has(row.genId)) failed++;
    }
    out.push({ stage, asset, members, done, failed, pending: members - done - failed });
  }
  return out;
}
