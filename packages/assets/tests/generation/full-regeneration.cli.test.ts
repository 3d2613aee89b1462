/**
 * A Cartesian cohort (Path B) generated from nothing, through the `assets` binary: drafts,
 * essays and evaluations all land under the cohort's gen_ids, each parent read from the gens
 * store by its parent_gen_id, with no prior artifact to lean on.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { materializeOk, writeProjectConfig } from "./helpers/cli.ts";
import { gensFiles, membershipRows, type TempProject, tempProject } from "./helpers/data-root.ts";

const STAGES = ["draft", "essay", "evaluation"] as const;
let project: TempProject;

beforeAll(() => {
  project = tempProject("gen-regen-");
  writeProjectConfig(project.dir);
});
afterAll(() => project.cleanup());

function meta(stage: string, genId: string): Record<string, unknown> {
  return JSON.parse(
    fs.readFileSync(path.join(project.dataRoot, "gens", stage, genId, "metadata.json"), "utf8"),
  );
}

describe("full regeneration of a Cartesian cohort (through the CLI)", () => {
  it("writes every draft, essay and evaluation under the cohort's gen_ids", async () => {
    expect(gensFiles(project.dataRoot)).toEqual([]);
    await materializeOk(project.dir, ["--select", "cohort_id,cohort_membership,group:task_definitions"]);
    const run = await materializeOk(project.dir, [
      "--select",
      "group:generation_draft,group:generation_essays,group:evaluation",
      "--missing",
    ]);
    // 2 drafts, 4 essays, 8 evaluations; a prompt and a response step each.
    expect(run).toMatchObject({ status: "succeeded", totalSteps: 28, succeeded: 28 });

    const rows = membershipRows(project.dataRoot);
    const cohortId = rows[0].cohort_id;
    const expected = STAGES.flatMap((stage) =>
      rows
        .filter((r) => r.stage === stage)
        .flatMap((r) =>
          ["metadata.json", "parsed.txt", "prompt.txt", "raw.txt"].map((f) => path.join(stage, r.gen_id, f)),
        ),
    ).sort();
    expect(gensFiles(project.dataRoot)).toEqual(expected);

    for (const r of rows) {
      const m = meta(r.stage, r.gen_id);
      expect(m).toMatchObject({ stage: r.stage, gen_id: r.gen_id, cohort_id: cohortId });
      // Copied essays call no model; every other generation is labelled as the offline client's.
      expect(m.offline).toBe(r.essay_template === "draft-as-essay" ? undefined : true);
      if (r.stage !== "draft") expect(m.parent_gen_id).toBe(r.parent_gen_id);
      const task =
        r.stage === "draft" ? r.draft_task_id : r.stage === "essay" ? r.essay_task_id : r.evaluation_task_id;
      expect(m.task_id).toBe(task);
    }
    // Each essay prompt was rendered from its own parent draft's parsed text.
    for (const r of rows.filter((x) => x.stage === "essay" && x.essay_template === "short-essay")) {
      const draft = fs.readFileSync(
        path.join(project.dataRoot, "gens", "draft", r.parent_gen_id, "parsed.txt"),
        "utf8",
      );
      const prompt = fs.readFileSync(
        path.join(project.dataRoot, "gens", "essay", r.gen_id, "prompt.txt"),
        "utf8",
      );
      expect(prompt).toContain(draft);
    }
  });

  it("regenerates nothing on a second `--missing` run", async () => {
    const res = await materializeOk(project.dir, [
      "--select",
      "group:generation_draft,group:generation_essays,group:evaluation",
      "--missing",
    ]);
    expect(res.totalSteps).toBe(0);
  });
});
