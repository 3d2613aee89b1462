import { type AssetContext, AssetsError, asset, type DynamicPartitionWriter } from "@daydream/core";
import { boolean, type infer as Infer, object, string } from "zod";
import { dataRoot, displayPath } from "../config/data-root.ts";
import { cohortYamlPath, STAGES } from "../config/paths.ts";
import { readCohortYaml, utcTimestamp } from "./cohort-files.ts";
import { establishCohort } from "./cohort-id.ts";
import { keepCohortIdStoredInRun, noteDerivedCohortId, restoreCohortIdStoredInRun } from "./cohort-id-io.ts";
import {
  buildMembership,
  type MembershipWritten,
  registerMembershipPartitions,
  writeMembership,
} from "./membership.ts";
import { clearMembershipFailure, recordMembershipFailure } from "./membership-failure.ts";
import { rowCounts } from "./membership-schema.ts";

/**
 * IO manager keys (registered in definitions.ts): cohort_id as data/cohorts/cohort_id.txt
 * (derived when not materialized yet, see cohort-id-io.ts), the membership summary as
 * data/cohorts/cohort_membership.json.
 */
export const COHORT_TEXT_IO = "cohort_text";
export const COHORT_JSON_IO = "cohort_json";

const cohortIdConfig = object({
  /** An explicit cohort id (wins over DD_COHORT and the deterministic id). */
  override: string().optional(),
  /** Free text recorded in cohort.yaml. */
  notes: string().optional(),
}).strict();

export const cohortIdAsset = asset({
  key: "cohort_id",
  group: "cohort",
  description:
    "The cohort id (run config override, else DD_COHORT, else deterministic from the active axes); writes data/cohorts/<id>/manifest.json and cohort.yaml.",
  io: COHORT_TEXT_IO,
  kinds: ["cohort"],
  configSchema: cohortIdConfig,
  compute: (ctx: AssetContext<Infer<typeof cohortIdConfig>>) => {
    const { resolved, files } = establishCohort(dataRoot(), ctx.config);
    const m = resolved.manifest;
    ctx.log.info({ cohort_id: resolved.cohortId, source: resolved.source }, "cohort id resolved");
    ctx.addMetadata({
      cohort_id: resolved.cohortId,
      source: resolved.source,
      mode: resolved.mode,
      created_at: files.yaml.created_at,
      manifest_path: files.manifestFile,
      cohort_yaml_path: files.yamlFile,
      combos: m.combos.length,
      templates: {
        draft: m.templates.draft.length,
        essay: m.templates.essay.length,
        evaluation: m.templates.evaluation.length,
      },
      llms: { generation: m.llms.generation.length, evaluation: m.llms.evaluation.length },
    });
    return resolved.cohortId;
  },
});

const membershipConfig = object({
  /**
   * Path A only: cohort-scoped ids for drafts and essays too, so the whole chain is
   * generated afresh. Recorded in cohort.yaml; when not given, the recorded value holds.
   */
  regenerate: boolean().optional(),
}).strict();

/** The value of cohort_membership: where the membership is and what it holds (rows live in the CSV). */
export interface MembershipSummary {
  cohort_id: string;
  mode: string;
  regenerate: boolean;
  /** Absolute path of membership.csv. */
  membership_path: string;
  rows: number;
  rows_per_stage: { draft: number; essay: number; evaluation: number };
}

function requireCohortId(value: unknown): string {
  if (typeof value === "string" && value !== "") return value;
  throw new AssetsError(
    "COHORT_ID_INVALID",
    `the stored cohort_id value is not a cohort id: ${JSON.stringify(value)}`,
    {
      context: { asset: "cohort_membership", input: "cohort_id" },
      hint: "materialize cohort_id again",
    },
  );
}

type MembershipContext = AssetContext<Infer<typeof membershipConfig>>;

async function buildCohortMembership(
  ctx: MembershipContext,
  root: string,
  inputs: Record<string, unknown>,
): Promise<MembershipSummary> {
  const cohortId = requireCohortId(inputs.cohort_id);
  // Opened first: the writer's thread starts while the membership is built, and its gen_ids are
  // registered while membership.csv is written (tens of thousands of keys each).
  const writer = ctx.instance.openPartitionWriter();
  try {
    return await registerAndWrite(ctx, root, cohortId, writer);
  } finally {
    await writer.close();
  }
}

async function registerAndWrite(
  ctx: MembershipContext,
  root: string,
  cohortId: string,
  writer: DynamicPartitionWriter,
): Promise<MembershipSummary> {
  noteDerivedCohortId(ctx, root, cohortId);
  // Not given: the cohort keeps how it was built (cohort.yaml), so a plain re-run changes nothing.
  const recorded = readCohortYaml(cohortYamlPath(root, cohortId))?.regenerate === true;
  const build = buildMembership(root, cohortId, { regenerate: ctx.config.regenerate ?? recorded });
  const registering = registerMembershipPartitions(writer, build.membership, ctx.runId);
  let written: MembershipWritten;
  try {
    written = writeMembership(root, build);
  } catch (err) {
    // The write's error is the one to report; the adds (idempotent) are let finish first.
    await Promise.allSettled([registering]);
    throw err;
  }
  const added = await registering;
  const counts = rowCounts(build.membership);
  const total = counts.draft + counts.essay + counts.evaluation;
  const metadata: Record<string, string | number | boolean | Record<string, number>> = {
    cohort_id: cohortId,
    mode: build.mode,
    regenerate: build.regenerate,
    regenerate_from:
      ctx.config.regenerate !== undefined ? "run config" : recorded ? "cohort.yaml" : "default",
    membership_path: displayPath(written.file),
    membership_changed: written.changed,
    rows: total,
    rows_per_stage: counts,
    partitions_added: added,
  };
  if (build.selected) metadata.selected_essays = build.selected.ids.length;
  if (build.replication) metadata.replicates = build.replication.replicates;
  if (build.regenerateIgnored) {
    ctx.log.warn({ cohort_id: cohortId }, "regenerate ignored: no selected_essays.txt (Cartesian cohort)");
    metadata.regenerate_note =
      "regenerate applies to curated cohorts (selected_essays.txt); a Cartesian cohort generates every stage afresh anyway";
  }
  if (written.dropped) {
    const dropped = STAGES.reduce((n, s) => n + written.dropped![s], 0);
    metadata.dropped_from_previous_membership = written.dropped;
    if (dropped > 0) {
      metadata.note =
        `the selection shrank: ${dropped} gen_id(s) of the previous membership are no longer members; ` +
        "nothing was removed (partitions are add-only; `npx assets partitions delete <name> <keys> --yes` removes them)";
    }
  } else if (written.previousUnreadable) {
    metadata.note = `the previous membership.csv could not be compared: ${written.previousUnreadable}`;
  }
  ctx.log.info(
    { cohort_id: cohortId, mode: build.mode, rows: total, partitions_added: added },
    "membership written",
  );
  ctx.addMetadata(metadata);
  const summary: MembershipSummary = {
    cohort_id: cohortId,
    mode: build.mode,
    regenerate: build.regenerate,
    membership_path: written.file,
    rows: total,
    rows_per_stage: counts,
  };
  return summary;
}

/**
 * A failed membership leaves no trace that later runs would build on: a cohort_id.txt
 * this run stored is put back, and the failure is recorded so that the task tables (of
 * an earlier membership) are neither projected again nor generated from.
 */
function recordFailure(ctx: MembershipContext, root: string, cohortId: unknown, err: unknown): void {
  const restored = restoreCohortIdStoredInRun(ctx.runId);
  if (restored !== undefined) {
    ctx.log.warn(
      { cohort_id: cohortId, restored_cohort_id: restored || null },
      restored
        ? `membership failed: data/cohorts/cohort_id.txt put back to ${restored}`
        : "membership failed: data/cohorts/cohort_id.txt removed (there was none before this run)",
    );
  }
  recordMembershipFailure(root, {
    cohort_id: typeof cohortId === "string" ? cohortId : String(cohortId),
    run_id: ctx.runId,
    step: ctx.assetKey,
    failed_at: utcTimestamp(new Date()),
    error: (err instanceof Error ? err.message : String(err)).split("\n")[0],
  });
}

export const cohortMembershipAsset = asset({
  key: "cohort_membership",
  group: "cohort",
  description:
    "data/cohorts/<id>/membership.csv: curated (selected_essays.txt) or Cartesian rows for every stage; registers draft/essay/evaluation gen partitions (add-only).",
  ins: { cohort_id: {} },
  io: COHORT_JSON_IO,
  kinds: ["csv"],
  configSchema: membershipConfig,
  compute: async (ctx: MembershipContext, inputs) => {
    const root = dataRoot();
    try {
      const summary = await buildCohortMembership(ctx, root, inputs);
      clearMembershipFailure(root);
      keepCohortIdStoredInRun(ctx.runId);
      return summary;
    } catch (err) {
      recordFailure(ctx, root, inputs.cohort_id, err);
      throw err;
    }
  },
});
