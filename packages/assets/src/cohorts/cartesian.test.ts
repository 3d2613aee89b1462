import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { smallSpec, type TempDir, tempDir, writeRawTree } from "../../tests/helpers/raw-tree.ts";
import { thrown } from "../../tests/helpers/thrown.ts";
import { STAGES } from "../config/paths.ts";
import { reserveGenId } from "../ids.ts";
import { RawInputError } from "../raw/errors.ts";
import { readCohortAxes, requireAxes } from "./axes.ts";
import { buildCartesianMembership, taskIdsUnambiguous } from "./cartesian.ts";
import { CohortError, MembershipConflictError } from "./errors.ts";
import { STAGE_COLUMNS } from "./membership-schema.ts";

let tmp: TempDir;
let root: string;

beforeEach(() => {
  tmp = tempDir("dd-cartesian-");
  root = path.join(tmp.dir, "data");
  writeRawTree(root, smallSpec());
});
afterEach(() => tmp.cleanup());

const asObjects = (stage: "draft" | "essay" | "evaluation", rows: string[][]) =>
  rows.map((r) => Object.fromEntries(STAGE_COLUMNS[stage].map((c, k) => [c, r[k]])));

describe("buildCartesianMembership", () => {
  it("crosses combos x active draft templates x generation models, then essays and evaluations", () => {
    const m = buildCartesianMembership(readCohortAxes(root), "cohort-x");
    // 2 combos x 1 draft template x 1 model; x 2 essay templates; x 2 evaluation templates x 2 evaluators
    expect([m.rows.draft.length, m.rows.essay.length, m.rows.evaluation.length]).toEqual([2, 4, 16]);
    const drafts = asObjects("draft", m.rows.draft);
    expect(drafts[0]).toEqual({
      gen_id: reserveGenId("draft", "combo-a__d1__gen-1", { runId: "cohort-x" }),
      cohort_id: "cohort-x",
      draft_task_id: "combo-a__d1__gen-1",
      combo_id: "combo-a",
      draft_template: "d1",
      generation_model: "gen-1",
      generation_model_name: "provider/gen-1",
    });
    const essays = asObjects("essay", m.rows.essay);
    expect(essays[1]).toEqual({
      gen_id: reserveGenId("essay", "combo-a__d1__gen-1__e2", { runId: "cohort-x" }),
      cohort_id: "cohort-x",
      essay_task_id: "combo-a__d1__gen-1__e2",
      parent_gen_id: drafts[0].gen_id,
      draft_task_id: "combo-a__d1__gen-1",
      combo_id: "combo-a",
      draft_template: "d1",
      essay_template: "e2",
      generation_model: "gen-1",
      generation_model_name: "provider/gen-1",
    });
    const evals = asObjects("evaluation", m.rows.evaluation);
    const task = `${essays[0].gen_id}__v2__ev-1`;
    expect(evals[2]).toEqual({
      gen_id: reserveGenId("evaluation", task, { runId: "cohort-x" }),
      cohort_id: "cohort-x",
      evaluation_task_id: task,
      parent_gen_id: essays[0].gen_id,
      evaluation_template: "v2",
      evaluation_model: "ev-1",
      evaluation_model_name: "provider/ev-1",
      parser: "complex",
    });
  });

  it("fails naming both rows when ids joined with __ make one task id of two different tasks", () => {
    const spec = smallSpec();
    spec.combos = [
      { comboId: "x__d1", concepts: ["c1"] },
      { comboId: "x", concepts: ["c2"] },
    ];
    spec.draftTemplates = [
      { id: "d1", extra: "" },
      { id: "d1__d1", extra: "" },
    ];
    writeRawTree(root, spec);
    const axes = readCohortAxes(root);
    expect(taskIdsUnambiguous(axes)).toBe(false);
    // x__d1__d1__gen-1 arises twice: combo x__d1 x template d1, combo x x template d1__d1.
    const err = thrown(() => buildCartesianMembership(axes, "cohort-x"), MembershipConflictError);
    expect(err.message).toBe(
      `cohort cohort-x: two draft rows for gen_id ${reserveGenId("draft", "x__d1__d1__gen-1", { runId: "cohort-x" })} differ: ` +
        'combo_id "x__d1" vs "x", draft_template "d1" vs "d1__d1"',
    );
    expect(err.hint).toMatch(/rename the combo, template or model id that contains "__"/);
  });

  it("gives different gen ids to the same tasks in another cohort", () => {
    const axes = readCohortAxes(root);
    const a = buildCartesianMembership(axes, "cohort-a");
    const b = buildCartesianMembership(axes, "cohort-b");
    expect(a.rows.draft[0][0]).not.toBe(b.rows.draft[0][0]);
    expect(a.rows.draft[0][2]).toBe(b.rows.draft[0][2]);
  });
});

describe("requireAxes", () => {
  const emptyAxisError = () => thrown(() => requireAxes(readCohortAxes(root), STAGES), CohortError);

  it.each([
    ["combos", "2_tasks/selected_combo_mappings.csv", "combo_id,concept_id,description_level,k_max\n"],
    ["draft templates", "1_raw/draft_templates.csv", "template_id,active\nd1,False\n"],
    [
      "generation models",
      "1_raw/llm_models.csv",
      "id,model,for_generation,for_evaluation\nev-1,p/ev,False,True\n",
    ],
    ["essay templates", "1_raw/essay_templates.csv", "template_id,active\ne1,False\n"],
    ["evaluation templates", "1_raw/evaluation_templates.csv", "template_id,active\nv1,0\n"],
    [
      "evaluation models",
      "1_raw/llm_models.csv",
      "id,model,for_generation,for_evaluation\ngen-1,p/g,True,False\n",
    ],
  ])("fails naming the empty axis %s", (axis, file, text) => {
    fs.writeFileSync(path.join(root, file), text);
    const err = emptyAxisError();
    expect(err.context.axis).toBe(axis);
    expect(err.message).toContain(`axis "${axis}" is empty`);
    expect(err.hint).toMatch(/^(add|create|set)\b/);
  });

  it("fails when the combos file is missing, saying how to create it", () => {
    fs.rmSync(path.join(root, "2_tasks/selected_combo_mappings.csv"));
    expect(emptyAxisError().hint).toMatch(/create data\/2_tasks\/selected_combo_mappings.csv/);
  });

  it.each([
    [
      "an unknown draft parser",
      "1_raw/draft_templates.csv",
      "template_id,active,parser\nd1,True,essay_idea\n",
      'draft template "d1" names the unknown parser "essay_idea"',
      "write one of: essay_block, essay_idea_last, identity (or leave it empty for identity)",
    ],
    [
      "an unknown evaluation parser",
      "1_raw/evaluation_templates.csv",
      "template_id,active,parser\nv1,True,in_last_line\nv2,True,Complex\n",
      'evaluation template "v2" names the unknown parser "Complex"',
      "write one of: complex, in_last_line",
    ],
    [
      "an evaluation template without a parser",
      "1_raw/evaluation_templates.csv",
      "template_id,active,parser\nv1,True,\n",
      'evaluation template "v1" has no parser',
      "write one of: complex, in_last_line",
    ],
  ])(
    "fails on an active template with %s, naming file, row and column",
    (_label, file, text, problem, hint) => {
      fs.writeFileSync(path.join(root, file), text);
      const err = thrown(() => requireAxes(readCohortAxes(root), STAGES), RawInputError);
      expect(err.message).toContain(`${file}, data row`);
      expect(err.message).toContain(`column "parser": ${problem}`);
      expect(err.hint).toBe(hint);
    },
  );

  it("accepts an empty draft parser (identity) and ignores the parser of an inactive template", () => {
    fs.writeFileSync(
      path.join(root, "1_raw/draft_templates.csv"),
      "template_id,active,parser\nd1,True,\nd-off,False,no_such_parser\n",
    );
    expect(() => requireAxes(readCohortAxes(root), STAGES)).not.toThrow();
  });

  it("fails when an active template has no template file, but not for a copy essay", () => {
    expect(() => requireAxes(readCohortAxes(root), STAGES)).not.toThrow();
    fs.rmSync(path.join(root, "1_raw/evaluation_templates/v2.txt"));
    expect(() => requireAxes(readCohortAxes(root), STAGES)).toThrow(RawInputError);
    expect(() => requireAxes(readCohortAxes(root), STAGES)).toThrow(
      /active evaluation template "v2" has no template file/,
    );
  });
});
