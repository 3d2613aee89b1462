import type { GenMetadata } from "../gens/metadata.ts";
import { ScoreParseError, UnknownParserError } from "../parsing/errors.ts";
import { parseEvaluationScore } from "../parsing/evaluation-parsers.ts";
import { pyFloatRepr } from "../parsing/python-compat.ts";

/**
 * Columns of parsed_scores.csv (data/cohorts/<id>/ and data/7_cross_experiment/), in file
 * order: the spec's columns first, then lineage and provenance that help when reading the
 * table by hand, then the evaluation's replicate (1 in a cohort without replicates).
 */
export const PARSED_SCORES_COLUMNS = [
  "gen_id",
  "parent_gen_id",
  "evaluation_template",
  "evaluation_model",
  "score",
  "error",
  "cohort_id",
  "combo_id",
  "draft_template",
  "essay_template",
  "generation_model",
  "draft_gen_id",
  "evaluation_task_id",
  "parser",
  "score_source",
  "replicate",
] as const;

export type ParsedScoresColumn = (typeof PARSED_SCORES_COLUMNS)[number];
export type ParsedScoreRow = Record<ParsedScoresColumn, string>;

/** Where a row's score came from: parsed.txt as written by evaluation_response, or raw.txt parsed here. */
export type ScoreSource = "parsed" | "raw" | "";

/** One evaluation of the cohort, as its evaluation task row gives it ("" for an absent cell). */
export interface EvaluationTask {
  gen_id: string;
  parent_gen_id: string;
  evaluation_template: string;
  evaluation_model: string;
  cohort_id: string;
  evaluation_task_id: string;
  /** The row's parser; "" means the template's parser from evaluation_templates.csv. */
  parser: string;
  /** The evaluation's replicate ("1" in a cohort without replicates). */
  replicate: string;
}

/** What the parsed scores say about the evaluated essay ("" when unknown). */
export interface EssayContext {
  draft_gen_id: string;
  combo_id: string;
  draft_template: string;
  essay_template: string;
  generation_model: string;
}

export const EMPTY_ESSAY_CONTEXT: EssayContext = {
  draft_gen_id: "",
  combo_id: "",
  draft_template: "",
  essay_template: "",
  generation_model: "",
};

/**
 * The files of one evaluation generation that were read: parsed.txt when it exists, else
 * raw.txt when it exists; metadata.json when it exists. `problem` is why they could not be read.
 */
export interface EvaluationGenFiles {
  parsed?: string;
  raw?: string;
  metadata?: GenMetadata;
  problem?: string;
}

export interface ParsedScoresInput {
  evaluations: readonly EvaluationTask[];
  /** Files by evaluation gen_id; an evaluation without an entry has no files. */
  gens: ReadonlyMap<string, EvaluationGenFiles>;
  /** Parser name by evaluation template id (evaluation_templates.csv). */
  templateParsers: ReadonlyMap<string, string>;
  /** Context by essay gen_id; an essay without an entry has empty context cells. */
  essays: ReadonlyMap<string, EssayContext>;
}

const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/** The score held by a parsed.txt (e.g. `7.0\n`); throws with the reason when it holds none. */
export function scoreFromParsedText(text: string): number {
  const trimmed = text.trim();
  if (!NUMBER.test(trimmed)) {
    throw new ScoreParseError(`parsed.txt does not hold a number (${JSON.stringify(trimmed.slice(0, 40))})`);
  }
  const score = Number(trimmed);
  if (!(score >= 0 && score <= 10)) throw new ScoreParseError(`parsed.txt score ${trimmed} is outside 0-10`);
  return score;
}

type Scored = { score: number; source: ScoreSource; parser: string } | { error: string; parser: string };

/** Metadata written for another task (a reused gen_id) must not lend its score to this row. */
function metadataMismatch(task: EvaluationTask, metadata: GenMetadata | undefined): string | undefined {
  if (!metadata) return undefined;
  const parent = metadata.parent_gen_id;
  if (parent !== "" && task.parent_gen_id !== "" && parent !== task.parent_gen_id) {
    return `metadata.json names parent essay ${parent}, the task row ${task.parent_gen_id}`;
  }
  const template = metadata.evaluation_template || metadata.template_id;
  if (template && task.evaluation_template !== "" && template !== task.evaluation_template) {
    return `metadata.json names evaluation template ${template}, the task row ${task.evaluation_template}`;
  }
  return undefined;
}

function scoreEvaluation(
  task: EvaluationTask,
  files: EvaluationGenFiles | undefined,
  parsers: ReadonlyMap<string, string>,
): Scored {
  const parser = task.parser || parsers.get(task.evaluation_template) || "";
  if (files?.problem) return { error: files.problem, parser };
  const mismatch = metadataMismatch(task, files?.metadata);
  if (mismatch) return { error: mismatch, parser };
  try {
    if (files?.parsed !== undefined)
      return { score: scoreFromParsedText(files.parsed), source: "parsed", parser };
    if (files?.raw !== undefined) {
      if (parser === "") {
        return {
          error: `no parser for evaluation template ${task.evaluation_template} (set its parser in evaluation_templates.csv)`,
          parser,
        };
      }
      return { score: parseEvaluationScore(files.raw, parser), source: "raw", parser };
    }
  } catch (err) {
    if (err instanceof ScoreParseError || err instanceof UnknownParserError)
      return { error: err.message, parser };
    throw err;
  }
  return {
    error: "not generated: no parsed.txt or raw.txt (materialize evaluation_response for this partition)",
    parser,
  };
}

/**
 * One parsed_scores row per evaluation, in task order. An evaluation whose score cannot be
 * read (missing files, unparseable response, bad parsed.txt) gets the reason in `error` and
 * an empty `score`, so one bad generation never hides the others.
 */
export function buildParsedScores(input: ParsedScoresInput): ParsedScoreRow[] {
  return input.evaluations.map((task) => {
    const files = input.gens.get(task.gen_id);
    const scored = scoreEvaluation(task, files, input.templateParsers);
    const essay = input.essays.get(task.parent_gen_id) ?? EMPTY_ESSAY_CONTEXT;
    const metadata = files?.metadata;
    return {
      gen_id: task.gen_id,
      parent_gen_id: task.parent_gen_id,
      evaluation_template: task.evaluation_template,
      evaluation_model: task.evaluation_model,
      score: "score" in scored ? pyFloatRepr(scored.score) : "",
      error: "error" in scored ? scored.error : "",
      cohort_id: task.cohort_id || (metadata?.cohort_id ?? ""),
      combo_id: essay.combo_id,
      draft_template: essay.draft_template,
      essay_template: essay.essay_template,
      generation_model: essay.generation_model,
      draft_gen_id: essay.draft_gen_id,
      evaluation_task_id: task.evaluation_task_id || (metadata?.task_id ?? ""),
      parser: scored.parser,
      score_source: "score" in scored ? scored.source : "",
      replicate: task.replicate,
    };
  });
}

/** The row as CSV cells in PARSED_SCORES_COLUMNS order. */
export function parsedScoreCells(row: ParsedScoreRow): string[] {
  return PARSED_SCORES_COLUMNS.map((column) => row[column]);
}
