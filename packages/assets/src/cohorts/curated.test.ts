import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  smallSpec,
  type TempDir,
  tempDir,
  writeGen,
  writeRawTree,
  writeToyChain,
} from "../../tests/helpers/raw-tree.ts";
import { thrown } from "../../tests/helpers/thrown.ts";
import { reserveGenId } from "../ids.ts";
import { readCohortAxes } from "./axes.ts";
import { buildCuratedMembership } from "./curated.ts";
import { SelectedEssayError } from "./errors.ts";
import type { Membership } from "./membership-schema.ts";

let tmp: TempDir;
let root: string;

beforeEach(() => {
  tmp = tempDir("dd-curated-");
  root = path.join(tmp.dir, "data");
  writeRawTree(root, smallSpec());
  writeToyChain(root, "D1", "E1");
});
afterEach(() => tmp.cleanup());

function build(ids: string[], regenerate = false): Membership {
  return buildCuratedMembership(
    readCohortAxes(root),
    { file: "selected_essays.txt", ids, lines: ids.map((_, i) => i + 1) },
    "cohort-c",
    {
      regenerate,
    },
  );
}

describe("buildCuratedMembership (evaluate-only, the default)", () => {
  it("keeps the existing draft and essay gen_ids and scopes only evaluations to the cohort", () => {
    const m = build(["E1"]);
    expect(m.rows.draft).toEqual([
      ["D1", "cohort-c", "combo-a__d1__gen-1", "combo-a", "d1", "gen-1", "provider/gen-1"],
    ]);
    expect(m.rows.essay).toEqual([
      [
        "E1",
        "cohort-c",
        "combo-a__d1__gen-1__e1",
        "D1",
        "combo-a__d1__gen-1",
        "combo-a",
        "d1",
        "e1",
        "gen-1",
        "provider/gen-1",
      ],
    ]);
    expect(m.rows.evaluation).toHaveLength(4);
    const task = "E1__v1__ev-1";
    expect(m.rows.evaluation[0]).toEqual([
      reserveGenId("evaluation", task, { runId: "cohort-c" }),
      "cohort-c",
      task,
      "E1",
      "v1",
      "ev-1",
      "provider/ev-1",
      "in_last_line",
    ]);
  });

  it("lists a draft shared by two selected essays once", () => {
    writeGen(root, "essay", "E2", { parent_gen_id: "D1", template_id: "e2", model_id: "" });
    const m = build(["E1", "E2"]);
    expect(m.rows.draft.map((r) => r[0])).toEqual(["D1"]);
    expect(m.rows.essay.map((r) => [r[0], r[3], r[8]])).toEqual([
      ["E1", "D1", "gen-1"],
      ["E2", "D1", "gen-1"],
    ]);
  });

  it("builds task ids from the metadata when it records none, and leaves an unknown model's name empty", () => {
    writeGen(root, "draft", "D9", { combo_id: "combo-z", template_id: "d1", model_id: "retired" });
    writeGen(root, "essay", "E9", { parent_gen_id: "D9", template_id: "e1", model_id: "retired" });
    const m = build(["E9"]);
    expect(m.rows.draft[0]).toEqual([
      "D9",
      "cohort-c",
      "combo-z__d1__retired",
      "combo-z",
      "d1",
      "retired",
      "",
    ]);
    expect(m.rows.essay[0][2]).toBe("combo-z__d1__retired__e1");
  });
});

describe("buildCuratedMembership with regenerate", () => {
  it("gives drafts and essays cohort-scoped ids so the whole chain is generated afresh", () => {
    const m = build(["E1"], true);
    const draftId = reserveGenId("draft", "combo-a__d1__gen-1", { runId: "cohort-c" });
    const essayId = reserveGenId("essay", "combo-a__d1__gen-1__e1", { runId: "cohort-c" });
    expect(m.rows.draft[0][0]).toBe(draftId);
    expect(m.rows.essay[0].slice(0, 4)).toEqual([essayId, "cohort-c", "combo-a__d1__gen-1__e1", draftId]);
    expect(m.rows.evaluation.every((r) => r[3] === essayId)).toBe(true);
  });

  it("refuses a model the cohort could not call", () => {
    writeGen(root, "draft", "D9", { combo_id: "combo-a", template_id: "d1", model_id: "retired" });
    writeGen(root, "essay", "E9", { parent_gen_id: "D9", template_id: "e1", model_id: "retired" });
    const err = thrown(() => build(["E9"], true), SelectedEssayError);
    expect(err.message).toMatch(/generation model "retired" is not in .*llm_models.csv/);
  });
});

describe("buildCuratedMembership errors", () => {
  it("names the essay when its gens directory is missing", () => {
    const err = thrown(() => build(["E404"]), SelectedEssayError);
    expect(err.context).toMatchObject({ essay_gen_id: "E404", missing_field: "gens directory" });
    expect(err.hint).toMatch(/selected_essays.txt/);
  });

  it("names the essay and metadata.json when the metadata is missing", () => {
    fs.rmSync(path.join(root, "gens/essay/E1/metadata.json"));
    expect(thrown(() => build(["E1"]), SelectedEssayError).context).toMatchObject({
      essay_gen_id: "E1",
      missing_field: "metadata.json",
    });
  });

  it("names the essay and the parent draft when the draft is missing", () => {
    fs.rmSync(path.join(root, "gens/draft/D1"), { recursive: true });
    const err = thrown(() => build(["E1"]), SelectedEssayError);
    expect(err.message).toContain("selected essay E1: its parent draft D1 cannot be read");
  });

  it.each([
    ["essay", "E1", "parent_gen_id", "essay.parent_gen_id"],
    ["essay", "E1", "template_id", "essay.template_id"],
    ["draft", "D1", "combo_id", "draft.combo_id"],
    ["draft", "D1", "template_id", "draft.template_id"],
  ])("names the missing field when %s metadata lacks %s", (stage, id, key, field) => {
    const file = path.join(root, "gens", stage, id, "metadata.json");
    const meta = JSON.parse(fs.readFileSync(file, "utf8"));
    delete meta[key];
    if (key === "template_id") delete meta.essay_template;
    fs.writeFileSync(file, JSON.stringify(meta));
    const err = thrown(() => build(["E1"]), SelectedEssayError);
    expect(err.context).toMatchObject({ essay_gen_id: "E1", missing_field: field });
  });

  it("names model_id when neither the essay nor its draft records a model", () => {
    writeGen(root, "draft", "D2", { combo_id: "combo-a", template_id: "d1", model_id: "" });
    writeGen(root, "essay", "E2", { parent_gen_id: "D2", template_id: "e1" });
    expect(thrown(() => build(["E2"]), SelectedEssayError).context).toMatchObject({
      missing_field: "draft.model_id",
    });
  });
});
