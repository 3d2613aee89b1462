import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineDefinitions } from "@daydream/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../testing/harness.ts";

const COHORT = "cohort-reps";
const HEADER =
  "stage,gen_id,cohort_id,draft_task_id,combo_id,draft_template,generation_model,generation_model_name," +
  "essay_task_id,parent_gen_id,essay_template,evaluation_task_id,evaluation_template,evaluation_model,evaluation_model_name,parser,replicate";

/**
 * Two drafts (gm-1, gm-2), each with two essay replicates of template et1, each essay
 * evaluated twice (evaluation replicates) by m1 on tplA. Scores by essay: [replicate 1, 2].
 */
const SCORES: Record<string, [number, number]> = { e1: [8, 6], e1b: [4, 5], e2: [7, 7], e2b: [9, 8] };
const ESSAYS = [
  { gen_id: "e1", parent: "d1", model: "gm-1", replicate: "1" },
  { gen_id: "e1b", parent: "d1", model: "gm-1", replicate: "2" },
  { gen_id: "e2", parent: "d2", model: "gm-2", replicate: "1" },
  { gen_id: "e2b", parent: "d2", model: "gm-2", replicate: "2" },
];

function row(fields: Record<string, string>): string {
  return HEADER.split(",")
    .map((c) => fields[c] ?? "")
    .join(",");
}

let h: Harness;
let dataRoot: string;

function writeFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

beforeAll(async () => {
  dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), "assets-ui-comparison-"));
  const rows = [
    row({ stage: "draft", gen_id: "d1", draft_template: "dt1", generation_model: "gm-1", replicate: "1" }),
    row({ stage: "draft", gen_id: "d2", draft_template: "dt1", generation_model: "gm-2", replicate: "1" }),
    ...ESSAYS.map((e) =>
      row({
        stage: "essay",
        gen_id: e.gen_id,
        parent_gen_id: e.parent,
        draft_template: "dt1",
        essay_template: "et1",
        generation_model: e.model,
        replicate: e.replicate,
      }),
    ),
    ...ESSAYS.flatMap((e) =>
      [1, 2].map((r) =>
        row({
          stage: "evaluation",
          gen_id: `${e.gen_id}-v${r}`,
          parent_gen_id: e.gen_id,
          evaluation_template: "tplA",
          evaluation_model: "m1",
          replicate: String(r),
        }),
      ),
    ),
  ].map((line) => line.replace(/^(\w+,[^,]+,)/, `$1${COHORT}`));
  writeFile(path.join(dataRoot, "cohorts", COHORT, "membership.csv"), `${[HEADER, ...rows].join("\n")}\n`);
  for (const [essay, scores] of Object.entries(SCORES)) {
    scores.forEach((score, k) => {
      writeFile(
        path.join(dataRoot, "gens", "evaluation", `${essay}-v${k + 1}`, "parsed.txt"),
        `${score}.0\n`,
      );
    });
  }
  h = await startHarness({ definitions: defineDefinitions({ assets: [] }), dataRoot });
});
afterAll(async () => {
  await h.close();
  fs.rmSync(dataRoot, { recursive: true, force: true });
});

describe("cohort comparison grid", () => {
  it("has generation models x essay templates, with the range of single replicate runs (by hand)", async () => {
    const { status, body } = await h.request(`/api/cohorts/${COHORT}`);
    expect(status).toBe(200);
    const grid = body.results.comparison;
    expect(grid).toMatchObject({ templateAxis: "essay", modelAxis: "generation", maxRuns: 4 });
    expect(grid.models).toEqual(["gm-1", "gm-2"]);
    expect(grid.templates).toEqual(["et1"]);
    // gm-1: runs (essay replicate, evaluation replicate) 1.1 = 8, 1.2 = 6, 2.1 = 4, 2.2 = 5
    // gm-2: 7, 7, 9, 8
    expect(grid.cells).toEqual([
      { model: "gm-1", template: "et1", n: 4, mean: 5.75, runs: 4, runMin: 4, runMax: 8 },
      { model: "gm-2", template: "et1", n: 4, mean: 7.75, runs: 4, runMin: 7, runMax: 9 },
    ]);
  });

  it("compares evaluation models x evaluation templates with grid=evaluation", async () => {
    const { body } = await h.request(`/api/cohorts/${COHORT}?grid=evaluation`);
    // One cell of all 8 scores (54 / 8); run means: 1.1 (8+7)/2, 1.2 (6+7)/2, 2.1 (4+9)/2, 2.2 (5+8)/2
    expect(body.results.comparison).toMatchObject({
      modelAxis: "evaluation",
      cells: [{ model: "m1", template: "tplA", n: 8, mean: 6.75, runs: 4, runMin: 6.5, runMax: 7.5 }],
    });
  });

  it("refuses an unknown grid axis", async () => {
    const res = await h.request(`/api/cohorts/${COHORT}?grid=combo`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('query parameter \\"grid\\" must be one of essay, draft, evaluation');
  });
});
