import fs from "node:fs";
import { type AssetContext, AssetsError, asset } from "@daydream/core";
import { utcTimestamp } from "../cohorts/cohort-files.ts";
import { noteDerivedCohortId } from "../cohorts/cohort-id-io.ts";
import { CohortError } from "../cohorts/errors.ts";
import {
  clearMembershipFailure,
  membershipFailedError,
  readMembershipFailure,
  recordMembershipFailure,
} from "../cohorts/membership-failure.ts";
import { membershipRegisteredInRun, registerGenPartitions } from "../cohorts/partitions.ts";
import { dataRoot, displayPath } from "../config/data-root.ts";
import { taskTablePath } from "../config/paths.ts";
import { TaskTableError } from "./task-table-reader.ts";
import {
  membershipForTasks,
  projectTaskRows,
  TASK_TABLES,
  type TaskSourceRows,
  type TaskTableName,
  writeTaskTable,
} from "./task-tables.ts";

/** IO manager key (registered in definitions.ts) for values derived again from files on load. */
export const DERIVED_IO = "derived_from_files";

/** The value of a task table asset: which table, and where its CSV is (rows are read with readTaskTable). */
export interface TaskTableRef {
  table: TaskTableName;
  /** Absolute path of data/2_tasks/<table>.csv. */
  path: string;
}

/** Loads a task table's value in a later run: the reference, once the CSV is known to exist. */
export function taskTableRef(root: string, table: TaskTableName): TaskTableRef {
  const file = taskTablePath(root, table);
  if (!fs.existsSync(file)) {
    throw new TaskTableError(
      "TASK_TABLE_MISSING",
      `task table ${table} has not been materialized: ${displayPath(file)} does not exist`,
      {
        context: { asset: table, file: displayPath(file) },
        hint: `materialize it first: npx assets materialize --select ${table}`,
      },
    );
  }
  return { table, path: file };
}

function cohortIdOf(value: unknown, table: string): string {
  if (typeof value === "string" && value !== "") return value;
  throw new AssetsError(
    "COHORT_ID_INVALID",
    `the stored cohort_id value is not a cohort id: ${JSON.stringify(value)}`,
    {
      context: { asset: table, input: "cohort_id" },
      hint: "materialize cohort_id again",
    },
  );
}

/**
 * The membership to project; one that breaks the membership rules (a hand edit) is
 * recorded as failed, so that generation does not go on from the task tables of the
 * previous membership, which stay in place.
 */
function readMembershipOrRecordFailure(ctx: AssetContext, root: string, cohortId: string): TaskSourceRows {
  try {
    return membershipForTasks(root, cohortId);
  } catch (err) {
    if (err instanceof CohortError) {
      recordMembershipFailure(root, {
        cohort_id: cohortId,
        run_id: ctx.runId,
        step: ctx.assetKey,
        failed_at: utcTimestamp(new Date()),
        error: err.message.split("\n")[0],
      });
    }
    throw err;
  }
}

function taskTableAsset(table: TaskTableName, description: string) {
  const stage = TASK_TABLES[table];
  return asset({
    key: table,
    group: "task_definitions",
    description,
    ins: { cohort_id: {} },
    deps: ["cohort_membership"],
    io: DERIVED_IO,
    kinds: ["csv"],
    compute: (ctx, inputs) => {
      const root = dataRoot();
      const cohortId = cohortIdOf(inputs.cohort_id, table);
      const failure = readMembershipFailure(root);
      // A failed cohort_membership left an older membership.csv (or none) behind: nothing to project.
      if (failure?.step === "cohort_membership") throw membershipFailedError(root, failure, { asset: table });
      noteDerivedCohortId(ctx, root, cohortId);
      const source = readMembershipOrRecordFailure(ctx, root, cohortId);
      // The membership reads cleanly again (it was fixed by hand): generation may go on.
      if (failure) clearMembershipFailure(root);
      if (source.source === "legacy_active_axes") {
        ctx.log.warn(
          { cohort_id: cohortId },
          "membership.csv missing: DD_ALLOW_LEGACY_TASKS=1, tasks built from the active axes",
        );
      }
      const rows = projectTaskRows(source.membership, table);
      const file = writeTaskTable(root, table, rows, source.membership.replicated);
      // cohort_membership already added exactly these keys earlier in this run.
      const alreadyRegistered = membershipRegisteredInRun(ctx.runId, source.membership);
      const added = alreadyRegistered ? 0 : registerGenPartitions(ctx.instance, stage, rows);
      ctx.addMetadata({
        task_count: rows.length,
        source: source.source,
        membership_path: displayPath(source.membershipFile),
        cohort_id: cohortId,
        path: displayPath(file),
        partitions_added: added,
        ...(alreadyRegistered
          ? { partitions_note: "registered by cohort_membership earlier in this run" }
          : {}),
      });
      const ref: TaskTableRef = { table, path: file };
      return ref;
    },
  });
}

export const draftGenerationTasksAsset = taskTableAsset(
  "draft_generation_tasks",
  "data/2_tasks/draft_generation_tasks.csv: the cohort's draft rows projected from membership.csv; registers draft_gens partitions.",
);
export const essayGenerationTasksAsset = taskTableAsset(
  "essay_generation_tasks",
  "data/2_tasks/essay_generation_tasks.csv: the cohort's essay rows projected from membership.csv; registers essay_gens partitions.",
);
export const evaluationTasksAsset = taskTableAsset(
  "evaluation_tasks",
  "data/2_tasks/evaluation_tasks.csv: the cohort's evaluation rows projected from membership.csv; registers evaluation_gens partitions.",
);
