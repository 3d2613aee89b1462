import fs from "node:fs";
import path from "node:path";
import { AssetsError, asset } from "@daydream/core";
import { noteDerivedCohortId } from "../cohorts/cohort-id-io.ts";
import { dataRoot, displayPath } from "../config/data-root.ts";
import { cohortDir } from "../config/paths.ts";
import { assertSafeId } from "../ids.ts";
import { writeCsvAtomic } from "../raw/atomic-file.ts";
import { parseRawTable, readRawText } from "../raw/csv-table.ts";
import { RawInputError } from "../raw/errors.ts";
import { ResultsError } from "./errors.ts";
import { buildScorePivot, PIVOT_ESSAY_COLUMNS, type PivotScore } from "./score-pivot.ts";
import { cohortParsedScoresPath } from "./write-parsed-scores.ts";

/** data/cohorts/<id>/score_pivot.csv. */
export function scorePivotPath(root: string, cohortId: string): string {
  return path.join(cohortDir(root, assertSafeId(cohortId, "cohort id")), "score_pivot.csv");
}

const REQUIRED = [...PIVOT_ESSAY_COLUMNS, "evaluation_template", "evaluation_model", "score", "error"];
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/** The usable scores (no error, a numeric score) of a cohort's parsed_scores.csv. */
export function readPivotScores(file: string): PivotScore[] {
  if (!fs.existsSync(file)) {
    throw new ResultsError("PARSED_SCORES_MISSING", `${displayPath(file)}: file not found`, {
      context: { asset: "score_pivot", file: displayPath(file) },
      hint: "materialize parsed_scores first (npx assets materialize --select parsed_scores)",
    });
  }
  const table = parseRawTable(file, readRawText(file, "materialize parsed_scores"), REQUIRED);
  const scores: PivotScore[] = [];
  for (const record of table.records) {
    const cells = record.cells;
    if (cells.error !== "" || cells.score === "") continue;
    if (!NUMBER.test(cells.score)) {
      throw new RawInputError(
        { file, row: record.row, line: record.line, column: "score" },
        `score "${cells.score}" is not a number`,
        "materialize parsed_scores again",
        { code: "PARSED_SCORES_INVALID" },
      );
    }
    scores.push({
      essay: {
        combo_id: cells.combo_id,
        draft_template: cells.draft_template,
        essay_template: cells.essay_template,
        generation_model: cells.generation_model,
        parent_gen_id: cells.parent_gen_id,
      },
      evaluationTemplate: cells.evaluation_template,
      evaluationModel: cells.evaluation_model,
      score: Number(cells.score),
    });
  }
  return scores;
}

function cohortIdOf(value: unknown): string {
  if (typeof value === "string" && value !== "") return value;
  throw new AssetsError(
    "COHORT_ID_INVALID",
    `the stored cohort_id value is not a cohort id: ${JSON.stringify(value)}`,
    { context: { asset: "score_pivot", input: "cohort_id" }, hint: "materialize cohort_id again" },
  );
}

/**
 * score_pivot: the current cohort's scores as one row per essay and, per evaluator
 * (evaluation template x model), the mean over replicates with its min, max and count
 * (data/cohorts/<id>/score_pivot.csv). Reads the cohort's parsed_scores.csv from disk.
 */
export const scorePivotAsset = asset({
  key: "score_pivot",
  group: "results",
  description:
    "data/cohorts/<id>/score_pivot.csv: one row per essay; per evaluator (model_template) the mean over replicates and its _min, _max, _n",
  ins: { cohort_id: {} },
  deps: ["parsed_scores"],
  kinds: ["csv"],
  compute: (ctx, inputs) => {
    const root = dataRoot();
    const cohortId = cohortIdOf(inputs.cohort_id);
    noteDerivedCohortId(ctx, root, cohortId);
    const source = cohortParsedScoresPath(root, cohortId);
    const pivot = buildScorePivot(readPivotScores(source));
    const file = scorePivotPath(root, cohortId);
    writeCsvAtomic(file, pivot.columns, pivot.rows);
    ctx.addMetadata({
      cohort_id: cohortId,
      path: displayPath(file),
      source: displayPath(source),
      essays: pivot.rows.length,
      evaluators: pivot.evaluators.join(", "),
    });
    return { path: file, essays: pivot.rows.length, evaluators: pivot.evaluators };
  },
});
