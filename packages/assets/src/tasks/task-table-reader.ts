import fs from "node:fs";
import path from "node:path";
import { AssetsError } from "@daydream/core";
import { assertMembershipNotFailed } from "../cohorts/membership-failure.ts";
import { displayPath } from "../config/data-root.ts";
import { taskTablePath } from "../config/paths.ts";
import { CsvSyntaxError, isBlankRecord, parseCsv } from "../raw/csv-text.ts";
import {
  requiredTaskColumns,
  TASK_TABLES,
  type TaskColumnOf,
  type TaskTableName,
  taskTableReadColumns,
} from "./task-tables.ts";

/** A row by column name; a column the file does not have reads as "". */
export type DraftTaskRow = Record<TaskColumnOf["draft_generation_tasks"], string>;
export type EssayTaskRow = Record<TaskColumnOf["essay_generation_tasks"], string>;
export type EvaluationTaskRow = Record<TaskColumnOf["evaluation_tasks"], string>;

export interface TaskRowOf {
  draft_generation_tasks: DraftTaskRow;
  essay_generation_tasks: EssayTaskRow;
  evaluation_tasks: EvaluationTaskRow;
}

export interface TaskTable<T extends TaskTableName = TaskTableName> {
  table: T;
  /** Absolute path of the CSV. */
  path: string;
  rows: TaskRowOf[T][];
  byGenId: Map<string, TaskRowOf[T]>;
}

/** A task table or task row that cannot be read or found. */
export class TaskTableError extends AssetsError {}

function tableError(
  table: TaskTableName,
  file: string,
  problem: string,
  hint: string,
  line?: number,
): TaskTableError {
  return new TaskTableError(
    "TASK_TABLE_INVALID",
    `${displayPath(file)}${line ? `, line ${line}` : ""}: ${problem}`,
    {
      context: { asset: table, file: displayPath(file), line },
      hint,
    },
  );
}

const cache = new Map<string, { signature: string; table: TaskTable }>();

/**
 * Columns are found by name in the header, so both layouts read the same: the
 * original's (written now) and the one earlier versions of this project wrote (gen_id
 * and cohort_id first, no evaluation columns beyond the membership's). Only the
 * membership's columns are required.
 */
function parseTaskTable<T extends TaskTableName>(table: T, file: string, text: string): TaskTable<T> {
  const columns = taskTableReadColumns(table);
  const required = requiredTaskColumns(table);
  const rows: TaskRowOf[T][] = [];
  const byGenId = new Map<string, TaskRowOf[T]>();
  let indices: number[] | undefined;
  const rematerialize = `materialize ${table} again (npx assets materialize --select ${table})`;
  try {
    parseCsv(text, (fields, line) => {
      if (isBlankRecord(fields)) return;
      if (!indices) {
        const missing = required.filter((c) => !fields.includes(c));
        if (missing.length > 0)
          throw tableError(table, file, `the header lacks ${missing.join(", ")}`, rematerialize, line);
        indices = columns.map((c) => fields.indexOf(c));
        return;
      }
      const row: Record<string, string> = {};
      for (let k = 0; k < columns.length; k++) row[columns[k]] = fields[indices[k]] ?? "";
      if (row.gen_id === "") throw tableError(table, file, "a row has an empty gen_id", rematerialize, line);
      if (byGenId.has(row.gen_id)) return;
      byGenId.set(row.gen_id, row as TaskRowOf[T]);
      rows.push(row as TaskRowOf[T]);
    });
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw tableError(table, file, err.problem, rematerialize, err.line);
    throw err;
  }
  if (!indices) throw tableError(table, file, "the file is empty", rematerialize);
  return { table, path: file, rows, byGenId };
}

/**
 * data/2_tasks/<table>.csv as typed rows (columns: see taskTableReadColumns), with an index
 * by gen_id. Parsed once per process while the file is unchanged, so thousands of
 * partitions looking up their row cost one parse.
 */
export function readTaskTable<T extends TaskTableName>(root: string, table: T): TaskTable<T> {
  if (!(table in TASK_TABLES)) {
    throw new TaskTableError("TASK_TABLE_UNKNOWN", `unknown task table "${table}"`, {
      hint: `use one of ${Object.keys(TASK_TABLES).join(", ")}`,
    });
  }
  const file = path.resolve(taskTablePath(root, table));
  let signature: string;
  try {
    const st = fs.statSync(file, { bigint: true });
    signature = `${st.ino}:${st.size}:${st.mtimeNs}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    throw new TaskTableError(
      "TASK_TABLE_MISSING",
      `task table ${table} has not been materialized: ${displayPath(file)} does not exist`,
      {
        context: { asset: table, file: displayPath(file) },
        hint: `materialize it first: npx assets materialize --select ${table}`,
        cause: err,
      },
    );
  }
  const hit = cache.get(file);
  if (hit && hit.signature === signature) return hit.table as TaskTable<T>;
  const parsed = parseTaskTable(table, file, fs.readFileSync(file, "utf8"));
  cache.set(file, { signature, table: parsed });
  return parsed;
}

/**
 * The task row of one generation; fails naming the table and the gen_id when it is not
 * there, and fails for every row while the last cohort_membership has failed (the tables
 * are then an earlier membership's).
 */
export function getTaskRow<T extends TaskTableName>(root: string, table: T, genId: string): TaskRowOf[T] {
  assertMembershipNotFailed(root, { asset: table, partition: genId });
  const t = readTaskTable(root, table);
  const row = t.byGenId.get(genId);
  if (row) return row;
  throw new TaskTableError("TASK_ROW_MISSING", `gen_id ${genId} is not in ${displayPath(t.path)}`, {
    context: { asset: table, partition: genId, file: displayPath(t.path) },
    hint: `the partition was registered by another cohort or the table is stale: materialize cohort_membership and ${table} again`,
  });
}

/** Forget parsed task tables (tests; long-lived processes). */
export function forgetTaskTables(): void {
  cache.clear();
}
