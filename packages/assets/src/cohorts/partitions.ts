import { type ComputeInstance, type DynamicPartitionsDefinition, dynamicPartitions } from "@daydream/core";
import type { Stage } from "../config/paths.ts";
import { describeGenerations } from "../lineage/gen-lineage.ts";
import { GEN_ID, type Membership, type StageRow } from "./membership-schema.ts";

/** One dynamic partition per generation, keyed by gen_id, per stage. */
export const draftGens = dynamicPartitions("draft_gens", { describe: () => describeGenerations("draft") });
export const essayGens = dynamicPartitions("essay_gens", { describe: () => describeGenerations("essay") });
export const evaluationGens = dynamicPartitions("evaluation_gens", {
  describe: () => describeGenerations("evaluation"),
});

export const GEN_PARTITIONS: Record<Stage, DynamicPartitionsDefinition> = {
  draft: draftGens,
  essay: essayGens,
  evaluation: evaluationGens,
};

/** Register the gen_ids of `rows` as partitions of the stage (add-only); returns how many were new. */
export function registerGenPartitions(
  instance: ComputeInstance,
  stage: Stage,
  rows: readonly StageRow[],
): number {
  return instance.addDynamicPartitions(
    GEN_PARTITIONS[stage],
    rows.map((r) => r[GEN_ID]),
  );
}

/**
 * The membership cohort_membership registered in a run. The task tables of the same run
 * project that very object (from the membership cache) and skip adding the same keys a
 * second time: at 850,000 gen_ids re-adding them costs seconds and adds nothing.
 */
let registeredInRun: { runId: string; membership: Membership } | undefined;

export function noteMembershipRegistered(runId: string, membership: Membership): void {
  registeredInRun = { runId, membership };
}

export function membershipRegisteredInRun(runId: string, membership: Membership): boolean {
  return registeredInRun?.runId === runId && registeredInRun.membership === membership;
}
