/**
 * Per-stage progress of a cohort: done (parsed.txt in the gens store), failed
 * (the stage's response asset last failed on that gen_id in the instance and
 * nothing was written since), pending (the rest).
 */
import type { Definitions, Storage } from "@daydream/core";
import { failedPartitionKeys } from "../storage-queries.ts";
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

export function stageProgress(
  rows: MemberRow[],
  scan: GensScan,
  storage: Storage,
  definitions: Definitions,
): StageProgress[] {
  return STAGES.map((stage) => {
    const asset = definitions.assets.has(STAGE_ASSETS[stage]) ? STAGE_ASSETS[stage] : null;
    const failedKeys = asset === null ? new Set<string>() : failedPartitionKeys(storage, asset);
    let members = 0;
    let done = 0;
    let failed = 0;
    for (const row of rows) {
      if (row.stage !== stage) continue;
      members++;
      if (scan.done[stage].has(row.genId)) done++;
      else if (failedKeys.has(row.genId)) failed++;
    }
    return { stage, asset, members, done, failed, pending: members - done - failed };
  });
}
