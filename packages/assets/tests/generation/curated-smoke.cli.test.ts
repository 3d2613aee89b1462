/**
 * cohort-plan.md section 9, the integration smoke test, end to end through the `assets` binary:
 * a toy prior generation (one draft, one essay), an evaluate-only cohort built from
 * selected_essays.txt, one evaluation materialized by gen_id without regenerating its
 * draft or essay, then the Cartesian cohort once the selection file is gone.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reserveGenId } from "../../src/ids.ts";
import { materializeOk, writeProjectConfig } from "./helpers/cli.ts";
import { membershipRows, snapshotDir, type TempProject, tempProject } from "./helpers/data-root.ts";

const DRAFT_TASK = "combo_v1_a67c7a306d8a__idea-stages__gen-small";
const ESSAY_TASK = `${DRAFT_TASK}__short-essay`;
const TOY_DRAFT = reserveGenId("draft", DRAFT_TASK);
const TOY_ESSAY = reserveGenId("essay", ESSAY_TASK);

function writeGen(
  dataRoot: string,
  stage: string,
  genId: string,
  metadata: Record<string, string>,
  text: string,
): string {
  const dir = path.join(dataRoot, "gens", stage, genId);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "prompt.txt"), `prompt of the toy ${stage}\n`);
  fs.writeFileSync(path.join(dir, "raw.txt"), text);
  fs.writeFileSync(path.join(dir, "parsed.txt"), text);
  const base = { stage, gen_id: genId, function: `${stage}_response`, run_id: "toy-run", cohort_id: "" };
  fs.writeFileSync(path.join(dir, "metadata.json"), `${JSON.stringify({ ...base, ...metadata }, null, 2)}\n`);
  return dir;
}

let project: TempProject;
let draftDir: string;
let essayDir: string;

beforeAll(() => {
  project = tempProject("gen-smoke-");
  writeProjectConfig(project.dir);
  draftDir = writeGen(
    project.dataRoot,
    "draft",
    TOY_DRAFT,
    {
      parent_gen_id: "",
      template_id: "idea-stages",
      model_id: "gen-small",
      task_id: DRAFT_TASK,
      combo_id: "combo_v1_a67c7a306d8a",
    },
    "A toy idea, line one.\nLine two.\nLine three.\n",
  );
  essayDir = writeGen(
    project.dataRoot,
    "essay",
    TOY_ESSAY,
    {
      parent_gen_id: TOY_DRAFT,
      template_id: "short-essay",
      model_id: "gen-small",
      task_id: ESSAY_TASK,
      essay_template: "short-essay",
    },
    "A toy essay about tides and paper.\n",
  );
  fs.writeFileSync(
    path.join(project.dataRoot, "2_tasks", "selected_essays.txt"),
    `# curated\n${TOY_ESSAY}\n`,
  );
});

afterAll(() => project.cleanup());

describe("curated cohort smoke test (through the CLI)", () => {
  let evaluationIds: string[];

  it("builds an evaluate-only membership (Path A) holding the selected essay and its evaluation rows", async () => {
    const run = await materializeOk(project.dir, ["--select", "cohort_id,cohort_membership"]);
    expect(run.succeeded).toBe(2);
    const rows = membershipRows(project.dataRoot);
    const byStage = (stage: string) => rows.filter((r) => r.stage === stage);
    expect(byStage("draft").map((r) => r.gen_id)).toEqual([TOY_DRAFT]);
    expect(byStage("essay").map((r) => [r.gen_id, r.parent_gen_id])).toEqual([[TOY_ESSAY, TOY_DRAFT]]);
    const evaluations = byStage("evaluation");
    expect(evaluations.map((r) => r.evaluation_template).sort()).toEqual(["novelty-score", "rubric-legacy"]);
    expect(evaluations.every((r) => r.parent_gen_id === TOY_ESSAY)).toBe(true);
    evaluationIds = evaluations.map((r) => r.gen_id);
  });

  it("materializes one evaluation partition by gen_id without regenerating the draft or the essay", async () => {
    await materializeOk(project.dir, ["--select", "group:task_definitions"]);
    const before = { draft: snapshotDir(draftDir), essay: snapshotDir(essayDir) };
    const [evaluationId] = evaluationIds;
    const run = await materializeOk(project.dir, [
      "--select",
      "evaluation_prompt,evaluation_response",
      "--partition",
      evaluationId,
    ]);
    expect(run).toMatchObject({ status: "succeeded", totalSteps: 2, succeeded: 2 });
    const evalDir = path.join(project.dataRoot, "gens", "evaluation", evaluationId);
    expect(fs.readFileSync(path.join(evalDir, "parsed.txt"), "utf8")).toMatch(/^\d+\.\d+\n$/);
    expect(fs.readFileSync(path.join(evalDir, "prompt.txt"), "utf8")).toContain(
      "A toy essay about tides and paper.",
    );
    expect(JSON.parse(fs.readFileSync(path.join(evalDir, "metadata.json"), "utf8"))).toMatchObject({
      parent_gen_id: TOY_ESSAY,
      offline: true,
    });
    expect(snapshotDir(draftDir)).toEqual(before.draft);
    expect(snapshotDir(essayDir)).toEqual(before.essay);
  });

  it("builds Cartesian rows (Path B) once selected_essays.txt is removed", async () => {
    fs.rmSync(path.join(project.dataRoot, "2_tasks", "selected_essays.txt"));
    await materializeOk(project.dir, ["--select", "cohort_id,cohort_membership"]);
    const rows = membershipRows(project.dataRoot);
    const ids = (stage: string) => rows.filter((r) => r.stage === stage).map((r) => r.gen_id);
    // 1 combo x 2 draft templates x 1 model; x 2 essay templates; x 2 evaluation templates x 1 model.
    expect(ids("draft")).toHaveLength(2);
    expect(ids("essay")).toHaveLength(4);
    expect(ids("evaluation")).toHaveLength(8);
    expect(ids("draft")).not.toContain(TOY_DRAFT);
    expect(
      rows
        .filter((r) => r.stage === "draft")
        .map((r) => r.draft_template)
        .sort(),
    ).toEqual(["idea-stages", "loose-notes"]);
    const drafts = new Set(ids("draft"));
    expect(rows.filter((r) => r.stage === "essay").every((r) => drafts.has(r.parent_gen_id))).toBe(true);
  });
});
