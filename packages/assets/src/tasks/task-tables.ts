import fs from "node:fs";
import { AssetsError } from "@daydream/core";
import { readCohortAxes, requireAxes } from "../cohorts/axes.ts";
import { buildCartesianMembership } from "../cohorts/cartesian.ts";
import { loadMembership } from "../cohorts/membership-cache.ts";
import {
  type Membership,
  REPLICATE_COLUMN,
  replicateIndex,
  STAGE_COLUMNS,
  type StageRow,
} from "../cohorts/membership-schema.ts";
import { displayPath } from "../config/data-root.ts";
import { legacyTasksAllowed } from "../config/env.ts";
import { membershipPath, STAGES, type Stage, taskTablePath } from "../config/paths.ts";
import { AtomicCsvWriter } from "../raw/atomic-file.ts";
import { formatCsvCell } from "../raw/csv-text.ts";
import { readReplicationConfig } from "../raw/replication-config.ts";

/** The task tables and the stage each one projects from membership. */
export const TASK_TABLES = {
  draft_generation_tasks: "draft",
  essay_generation_tasks: "essay",
  evaluation_tasks: "evaluation",
} as const satisfies Record<string, Stage>;

export type TaskTableName = keyof typeof TASK_TABLES;
export const TASK_TABLE_NAMES = Object.keys(TASK_TABLES) as TaskTableName[];

/**
 * The original pipeline's task table layouts, column for column: notebooks downstream
 * read these files. Columns the membership does not fill (the evaluation table's
 * document_id, essay_task_id... source_asset) are written empty, as the original did.
 */
const TASK_TABLE_COLUMNS = {
  draft_generation_tasks: [
    "draft_task_id",
    "combo_id",
    "draft_template",
    "generation_model",
    "generation_model_name",
    "gen_id",
    "cohort_id",
  ],
  essay_generation_tasks: [
    "essay_task_id",
    "parent_gen_id",
    "draft_task_id",
    "combo_id",
    "draft_template",
    "essay_template",
    "generation_model",
    "generation_model_name",
    "gen_id",
    "cohort_id",
  ],
  evaluation_tasks: [
    "evaluation_task_id",
    "parent_gen_id",
    "document_id",
    "essay_task_id",
    "draft_task_id",
    "combo_id",
    "draft_template",
    "essay_template",
    "generation_model",
    "generation_model_name",
    "evaluation_template",
    "evaluation_model",
    "evaluation_model_name",
    "parser",
    "file_path",
    "source_dir",
    "source_asset",
    "gen_id",
    "cohort_id",
  ],
} as const satisfies Record<TaskTableName, readonly string[]>;

/** Columns a reader finds by name: the written layout, then the replicate ("" in a table without it). */
export type TaskColumnOf = {
  [T in TaskTableName]: (typeof TASK_TABLE_COLUMNS)[T][number] | typeof REPLICATE_COLUMN;
};

/** The columns a task table is written with (the original's layout; the replicate last when the cohort has replicates). */
export function taskTableColumns(table: TaskTableName, replicated = false): readonly string[] {
  return replicated ? [...TASK_TABLE_COLUMNS[table], REPLICATE_COLUMN] : TASK_TABLE_COLUMNS[table];
}

/** Every column a task row is read with (see TaskColumnOf). */
export function taskTableReadColumns(table: TaskTableName): readonly string[] {
  return taskTableColumns(table, true);
}

/** The replicate a task row records: its replicate cell, 1 for a table without replicates. */
export function taskReplicate(row: { replicate: string }): number {
  return row.replicate === "" ? 1 : Number(row.replicate);
}

/**
 * The columns every readable task table has: its stage's membership columns. Tables
 * written by earlier versions of this project have exactly these (gen_id and cohort_id
 * first); the original's layout has them among others.
 */
export function requiredTaskColumns(table: TaskTableName): readonly string[] {
  return STAGE_COLUMNS[TASK_TABLES[table]];
}

/** For each written column, its index in the stage row (-1: a column the membership does not fill). */
const ROW_SOURCE: Record<TaskTableName, number[]> = {
  draft_generation_tasks: sourceOf("draft_generation_tasks"),
  essay_generation_tasks: sourceOf("essay_generation_tasks"),
  evaluation_tasks: sourceOf("evaluation_tasks"),
};

function sourceOf(table: TaskTableName): number[] {
  const stageColumns: readonly string[] = STAGE_COLUMNS[TASK_TABLES[table]];
  return TASK_TABLE_COLUMNS[table].map((c) => stageColumns.indexOf(c));
}

/** membership.csv missing and no legacy fallback allowed. */
export class MembershipMissingError extends AssetsError {}

export type TaskSource = "membership" | "legacy_active_axes";

export interface TaskSourceRows {
  membership: Membership;
  source: TaskSource;
  /** Absolute path of membership.csv (absent in legacy mode). */
  membershipFile: string;
}

/**
 * The membership the task tables project from: data/cohorts/<id>/membership.csv, or,
 * only with DD_ALLOW_LEGACY_TASKS=1 and no membership file, the Cartesian rows of the
 * active axes built in memory (dev-only fallback; nothing is written to the cohort).
 */
export function membershipForTasks(
  root: string,
  cohortId: string,
  env: NodeJS.ProcessEnv = process.env,
): TaskSourceRows {
  const file = membershipPath(root, cohortId);
  if (fs.existsSync(file))
    return { membership: loadMembership(file, cohortId), source: "membership", membershipFile: file };
  if (legacyTasksAllowed(env)) {
    const axes = readCohortAxes(root);
    requireAxes(axes, STAGES);
    return {
      membership: buildCartesianMembership(axes, cohortId, readReplicationConfig(root)),
      source: "legacy_active_axes",
      membershipFile: file,
    };
  }
  throw new MembershipMissingError(
    "MEMBERSHIP_MISSING",
    `no membership for cohort ${cohortId}: ${displayPath(file)} does not exist`,
    {
      context: { cohort: cohortId, file: displayPath(file) },
      hint:
        "materialize cohort_membership first (npx assets materialize --select cohort_membership); " +
        "DD_ALLOW_LEGACY_TASKS=1 builds task tables from the active axes instead (dev only)",
    },
  );
}

/** The stage's rows, one per gen_id (membership already keeps the first of each). */
export function projectTaskRows(m: Membership, table: TaskTableName): StageRow[] {
  return m.rows[TASK_TABLES[table]];
}

/**
 * Write data/2_tasks/<table>.csv atomically in the original's layout (plus the replicate
 * column when the membership is replicated); returns its absolute path.
 */
export function writeTaskTable(
  root: string,
  table: TaskTableName,
  rows: readonly StageRow[],
  replicated = false,
): string {
  const file = taskTablePath(root, table);
  const source = replicated ? [...ROW_SOURCE[table], replicateIndex(TASK_TABLES[table])] : ROW_SOURCE[table];
  const writer = new AtomicCsvWriter(file, taskTableColumns(table, replicated));
  try {
    // Formatted straight from the stage rows: no projected copy of 80,000 rows to collect.
    for (const row of rows) writer.writeLine(projectedLine(row, source));
  } catch (err) {
    writer.abort();
    throw err;
  }
  writer.commitIfChanged();
  return file;
}

/** The CSV line of the cells `source` picks from `row` (-1: an empty cell), as formatCsvLine writes it. */
function projectedLine(row: StageRow, source: readonly number[]): string {
  let line = "";
  for (let j = 0; j < source.length; j++) {
    const k = source[j];
    if (j > 0) line += ",";
    if (k >= 0) line += formatCsvCell(row[k]);
  }
  return `${line}\n`;
}
