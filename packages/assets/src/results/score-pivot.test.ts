import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatCsvLine } from "../raw/csv-text.ts";
import { PARSED_SCORES_COLUMNS } from "./parsed-scores.ts";
import { buildScorePivot, round2 } from "./score-pivot.ts";
import { readPivotScores } from "./score-pivot-asset.ts";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "score-pivot-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A parsed_scores.csv row: essay, evaluator, score, error; the essay's context follows from its id. */
function row(essay: string, template: string, model: string, score: string, error = ""): string[] {
  const cells: Record<string, string> = {
    gen_id: `${essay}-${template}-${model}-${Math.random()}`,
    parent_gen_id: essay,
    evaluation_template: template,
    evaluation_model: model,
    score,
    error,
    cohort_id: "cohort-p",
    combo_id: essay === "E2" ? "combo-a" : "combo-b",
    draft_template: "d1",
    essay_template: "e1",
    generation_model: essay === "E2" ? "gen-x" : "gen-y",
    replicate: "1",
  };
  return PARSED_SCORES_COLUMNS.map((c) => cells[c] ?? "");
}

describe("score pivot", () => {
  it("has per essay and evaluator the mean over replicates and its min, max and count (checked by hand)", () => {
    const file = path.join(dir, "parsed_scores.csv");
    const rows = [
      // E1 by sonnet on novelty: 7, 8, 6 -> mean 7.0, min 6.0, max 8.0, n 3
      row("E1", "novelty", "sonnet", "7.0"),
      row("E1", "novelty", "sonnet", "8.0"),
      row("E1", "novelty", "sonnet", "6.0"),
      // E1 by sonnet on rigor: 6.5, 6.75 -> mean 6.625, rounded half to even: 6.62
      row("E1", "rigor", "sonnet", "6.5"),
      row("E1", "rigor", "sonnet", "6.75"),
      // ignored: an error, and an empty score
      row("E1", "rigor", "sonnet", "", "no score found"),
      row("E1", "novelty", "gpt", "9.0", "metadata mismatch"),
      // E2 by gpt on novelty: 2, 2, 3 -> mean 2.333... -> 2.33; nothing from sonnet
      row("E2", "novelty", "gpt", "2.0"),
      row("E2", "novelty", "gpt", "2.0"),
      row("E2", "novelty", "gpt", "3.0"),
    ];
    fs.writeFileSync(file, formatCsvLine(PARSED_SCORES_COLUMNS) + rows.map(formatCsvLine).join(""));
    const pivot = buildScorePivot(readPivotScores(file));
    expect(pivot.evaluators).toEqual(["gpt_novelty", "sonnet_novelty", "sonnet_rigor"]);
    expect(pivot.columns).toEqual([
      "combo_id",
      "draft_template",
      "essay_template",
      "generation_model",
      "parent_gen_id",
      "gpt_novelty",
      "sonnet_novelty",
      "sonnet_rigor",
      "gpt_novelty_min",
      "sonnet_novelty_min",
      "sonnet_rigor_min",
      "gpt_novelty_max",
      "sonnet_novelty_max",
      "sonnet_rigor_max",
      "gpt_novelty_n",
      "sonnet_novelty_n",
      "sonnet_rigor_n",
    ]);
    expect(pivot.rows).toEqual([
      ["combo-a", "d1", "e1", "gen-x", "E2", "2.33", "", "", "2.0", "", "", "3.0", "", "", "3", "0", "0"],
      [
        "combo-b",
        "d1",
        "e1",
        "gen-y",
        "E1",
        "",
        "7.0",
        "6.62",
        "",
        "6.0",
        "6.5",
        "",
        "8.0",
        "6.75",
        "0",
        "3",
        "2",
      ],
    ]);
  });

  it("rounds as numpy's round(x, 2) does", () => {
    expect([round2(0.125), round2(0.135), round2(2 / 3), round2(7), round2(6.625)]).toEqual([
      0.12, 0.14, 0.67, 7, 6.62,
    ]);
  });

  it("names the file to materialize when the cohort has no parsed_scores.csv", () => {
    expect(() => readPivotScores(path.join(dir, "none.csv"))).toThrow(/none.csv: file not found/);
  });
});
