/**
 * Task tables are written in the original pipeline's layout, and every reader accepts
 * both that and the layout earlier versions of this project wrote (gen_id and cohort_id
 * first, only the membership's columns), so older data trees keep working.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getTaskRow, readTaskTable, STAGE_COLUMNS, TASK_TABLES, taskTableColumns } from "../src/index.ts";
import { gensFiles, readSimpleCsv, type TempProject, tempProject } from "./generation/helpers/data-root.ts";
import { buildCohort, pipeline } from "./generation/helpers/in-process.ts";

const TABLES = Object.keys(TASK_TABLES) as (keyof typeof TASK_TABLES)[];
const GENERATION = "group:generation_draft,group:generation_essays,group:evaluation,parsed_scores";

let projects: TempProject[] = [];
afterEach(() => {
  for (const p of projects) p.cleanup();
  projects = [];
});

/** Rewrite a task table the way this project wrote it before: its stage's membership columns only. */
function rewriteInEarlierLayout(dataRoot: string, table: keyof typeof TASK_TABLES): void {
  const file = path.join(dataRoot, "2_tasks", `${table}.csv`);
  const columns = STAGE_COLUMNS[TASK_TABLES[table]];
  const rows = readSimpleCsv(file).map((r) => columns.map((c) => r[c]).join(","));
  fs.writeFileSync(file, `${[columns.join(","), ...rows].join("\n")}\n`);
}

/** Every generation file and the scores, with what differs run to run (run id, timing) blanked. */
function outputs(dataRoot: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of gensFiles(dataRoot)) {
    const text = fs.readFileSync(path.join(dataRoot, "gens", rel), "utf8");
    out[rel] = rel.endsWith("metadata.json")
      ? text.replace(/"run_id": "[^"]*"/, '"run_id": ""').replace(/"duration_s": [\d.]+/, '"duration_s": 0')
      : text;
  }
  const scores = path.join(dataRoot, "7_cross_experiment", "parsed_scores.csv");
  out.parsed_scores = fs.readFileSync(scores, "utf8");
  return out;
}

async function generate(
  earlierLayout: boolean,
): Promise<{ dataRoot: string; files: Record<string, string> }> {
  const project = tempProject("dd-layouts-");
  projects.push(project);
  const p = pipeline(project.dataRoot, project.home);
  try {
    await buildCohort(p);
    if (earlierLayout) for (const table of TABLES) rewriteInEarlierLayout(project.dataRoot, table);
    const run = await p.run(GENERATION, "all");
    expect(run.failures).toEqual([]);
    expect(run.status).toBe("succeeded");
  } finally {
    p.close();
  }
  return { dataRoot: project.dataRoot, files: outputs(project.dataRoot) };
}

describe("task table layouts", () => {
  it("are written with the original's columns, in its order", async () => {
    const { dataRoot } = await generate(false);
    for (const table of TABLES) {
      const header = fs.readFileSync(path.join(dataRoot, "2_tasks", `${table}.csv`), "utf8").split("\n")[0];
      expect(header).toBe(taskTableColumns(table).join(","));
    }
  });

  it("in the earlier layout drive generation and scoring exactly as the current layout does", async () => {
    const current = await generate(false);
    const earlier = await generate(true);
    expect(Object.keys(current.files)).toHaveLength(4 * (2 + 4 + 8) + 1);
    expect(earlier.files).toEqual(current.files);
  });

  it("read the same rows by name from either layout, the original's extra columns empty in the earlier one", async () => {
    const { dataRoot } = await generate(false);
    process.env.DD_DATA_ROOT = dataRoot;
    try {
      const current = readTaskTable(dataRoot, "evaluation_tasks").rows;
      rewriteInEarlierLayout(dataRoot, "evaluation_tasks");
      const earlier = readTaskTable(dataRoot, "evaluation_tasks").rows;
      expect(earlier).toEqual(current);
      expect(getTaskRow(dataRoot, "evaluation_tasks", current[0].gen_id)).toMatchObject({
        gen_id: current[0].gen_id,
        document_id: "",
        source_asset: "",
      });
    } finally {
      delete process.env.DD_DATA_ROOT;
    }
  });

  it("refuse a table that lacks one of the membership's columns, naming it", async () => {
    const { dataRoot } = await generate(false);
    const file = path.join(dataRoot, "2_tasks", "draft_generation_tasks.csv");
    const text = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, text.replace("combo_id", "combo"));
    expect(() => readTaskTable(dataRoot, "draft_generation_tasks")).toThrow(
      /draft_generation_tasks\.csv, line 1: the header lacks combo_id/,
    );
  });
});
