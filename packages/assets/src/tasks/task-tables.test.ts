import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { smallSpec, type TempDir, tempDir, writeRawTree } from "../../tests/helpers/raw-tree.ts";
import { thrown } from "../../tests/helpers/thrown.ts";
import { readCohortAxes } from "../cohorts/axes.ts";
import { buildCartesianMembership } from "../cohorts/cartesian.ts";
import { writeMembershipCsv } from "../cohorts/membership-file.ts";
import { type Membership, rowReplicate, STAGE_COLUMNS } from "../cohorts/membership-schema.ts";
import { readReplicationConfig } from "../raw/replication-config.ts";
import { getTaskRow, readTaskTable, TaskTableError } from "./task-table-reader.ts";
import {
  MembershipMissingError,
  membershipForTasks,
  projectTaskRows,
  TASK_TABLE_NAMES,
  TASK_TABLES,
  taskReplicate,
  taskTableColumns,
  taskTableReadColumns,
  writeTaskTable,
} from "./task-tables.ts";

let tmp: TempDir;
let root: string;
let membership: Membership;

beforeEach(() => {
  tmp = tempDir("dd-tasks-");
  root = path.join(tmp.dir, "data");
  writeRawTree(root, smallSpec());
  membership = buildCartesianMembership(readCohortAxes(root), "cohort-t");
});
afterEach(() => tmp.cleanup());

describe("task table schemas", () => {
  it("are the original pipeline's columns, in its order", () => {
    expect(taskTableColumns("draft_generation_tasks").join(",")).toBe(
      "draft_task_id,combo_id,draft_template,generation_model,generation_model_name,gen_id,cohort_id",
    );
    expect(taskTableColumns("essay_generation_tasks").join(",")).toBe(
      "essay_task_id,parent_gen_id,draft_task_id,combo_id,draft_template,essay_template,generation_model,generation_model_name,gen_id,cohort_id",
    );
    expect(taskTableColumns("evaluation_tasks").join(",")).toBe(
      "evaluation_task_id,parent_gen_id,document_id,essay_task_id,draft_task_id,combo_id,draft_template,essay_template,generation_model,generation_model_name,evaluation_template,evaluation_model,evaluation_model_name,parser,file_path,source_dir,source_asset,gen_id,cohort_id",
    );
  });

  it.each(TASK_TABLE_NAMES)("%s projects its stage's rows and reads back by gen_id", (table) => {
    const rows = projectTaskRows(membership, table);
    const file = writeTaskTable(root, table, rows);
    const text = fs.readFileSync(file, "utf8").split("\n");
    expect(text[0]).toBe(taskTableColumns(table).join(","));
    expect(text).toHaveLength(rows.length + 2);
    const read = readTaskTable(root, table);
    expect(read.rows.map((r) => r.gen_id)).toEqual(rows.map((r) => r[0]));
    const last = rows[rows.length - 1];
    const stageColumns: readonly string[] = STAGE_COLUMNS[TASK_TABLES[table]];
    expect(getTaskRow(root, table, last[0])).toEqual(
      Object.fromEntries(
        taskTableReadColumns(table).map((c) => [
          c,
          stageColumns.includes(c) ? last[stageColumns.indexOf(c)] : "",
        ]),
      ),
    );
  });

  it.each(TASK_TABLE_NAMES)("%s of a replicated membership ends with the replicate column", (table) => {
    fs.writeFileSync(
      path.join(root, "1_raw", "replication_config.csv"),
      "stage,replicates\ndraft,1\nessay,2\nevaluation,3\n",
    );
    const replicated = buildCartesianMembership(
      readCohortAxes(root),
      "cohort-t",
      readReplicationConfig(root),
    );
    const rows = projectTaskRows(replicated, table);
    const file = writeTaskTable(root, table, rows, true);
    const [header, ...lines] = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    expect(header).toBe(`${taskTableColumns(table).join(",")},replicate`);
    const stage = TASK_TABLES[table];
    expect(lines.map((l) => l.split(",").at(-1))).toEqual(rows.map((r) => String(rowReplicate(stage, r))));
    expect(new Set(lines.map((l) => l.split(",").at(-1)))).toEqual(
      new Set(stage === "draft" ? ["1"] : stage === "essay" ? ["1", "2"] : ["1", "2", "3"]),
    );
    const last = rows[rows.length - 1];
    expect(taskReplicate(getTaskRow(root, table, last[0]))).toBe(rowReplicate(stage, last));
  });

  it("writes the evaluation columns the membership does not fill as empty cells", () => {
    const file = writeTaskTable(root, "evaluation_tasks", projectTaskRows(membership, "evaluation_tasks"));
    const [header, first] = fs.readFileSync(file, "utf8").split("\n");
    const cells = Object.fromEntries(header.split(",").map((c, k) => [c, first.split(",")[k]]));
    const row = membership.rows.evaluation[0];
    expect(cells).toEqual({
      evaluation_task_id: row[2],
      parent_gen_id: row[3],
      document_id: "",
      essay_task_id: "",
      draft_task_id: "",
      combo_id: "",
      draft_template: "",
      essay_template: "",
      generation_model: "",
      generation_model_name: "",
      evaluation_template: "v1",
      evaluation_model: "ev-1",
      evaluation_model_name: "provider/ev-1",
      parser: "in_last_line",
      file_path: "",
      source_dir: "",
      source_asset: "",
      gen_id: row[0],
      cohort_id: "cohort-t",
    });
  });
});

describe("readTaskTable / getTaskRow", () => {
  it("re-reads a table edited since it was cached", () => {
    writeTaskTable(root, "draft_generation_tasks", projectTaskRows(membership, "draft_generation_tasks"));
    expect(readTaskTable(root, "draft_generation_tasks").rows).toHaveLength(2);
    writeTaskTable(
      root,
      "draft_generation_tasks",
      projectTaskRows(membership, "draft_generation_tasks").slice(0, 1),
    );
    expect(readTaskTable(root, "draft_generation_tasks").rows).toHaveLength(1);
  });

  it("says which table to materialize when it does not exist", () => {
    const err = thrown(() => readTaskTable(root, "evaluation_tasks"), TaskTableError);
    expect(err.hint).toContain("--select evaluation_tasks");
  });

  it("names the gen_id and the table when a row is missing", () => {
    writeTaskTable(root, "essay_generation_tasks", projectTaskRows(membership, "essay_generation_tasks"));
    const err = thrown(() => getTaskRow(root, "essay_generation_tasks", "nope"), TaskTableError);
    expect(err.message).toMatch(/gen_id nope is not in .*essay_generation_tasks.csv/);
  });
});

describe("membershipForTasks", () => {
  it("reads the cohort's membership.csv", () => {
    writeMembershipCsv(path.join(root, "cohorts", "cohort-t", "membership.csv"), membership);
    expect(membershipForTasks(root, "cohort-t", {})).toMatchObject({ source: "membership", membership });
  });

  it("tells the user to materialize cohort_membership first when the membership is missing", () => {
    const err = thrown(() => membershipForTasks(root, "cohort-t", {}), MembershipMissingError);
    expect(err.message).toMatch(/no membership for cohort cohort-t/);
    expect(err.hint).toMatch(/materialize cohort_membership first/);
  });

  it("falls back to the active axes only with DD_ALLOW_LEGACY_TASKS=1", () => {
    const legacy = membershipForTasks(root, "cohort-t", { DD_ALLOW_LEGACY_TASKS: "1" });
    expect(legacy.source).toBe("legacy_active_axes");
    expect(legacy.membership).toEqual(membership);
  });
});
