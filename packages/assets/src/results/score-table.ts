import fs from "node:fs";
import { displayPath } from "../config/data-root.ts";
import { assertSafeId, compareCodePoints, UnsafeIdError } from "../ids.ts";
import { parseRawTable, type RawRecord, readRawText } from "../raw/csv-table.ts";
import { RawInputError } from "../raw/errors.ts";
import { ResultsError } from "./errors.ts";

/** One usable score of parsed_scores.csv: no error, a numeric score. */
export interface ScoreRecord {
  essayGenId: string;
  evaluationTemplate: string;
  evaluationModel: string;
  /** The row's cohort_id ("" when the file has no such column or leaves it empty). */
  cohortId: string;
  score: number;
  /** 1-based line of the CSV record. */
  line: number;
}

export interface ScoreTable {
  file: string;
  records: ScoreRecord[];
  /** Every evaluation template / model named by a row (usable or not), sorted. */
  templates: string[];
  models: string[];
  /** Every cohort_id named by a row, sorted; undefined when the file has no cohort_id column. */
  cohorts: string[] | undefined;
  /** Rows left out because they carry an error or an empty score. */
  ignored: number;
}

/**
 * Accepted header names, preferred first: this project's parsed_scores.csv, then the names the
 * Python pipeline's table used, so a table it wrote can be ranked too.
 */
const TEMPLATE_COLUMNS = ["evaluation_template", "template_id"] as const;
const MODEL_COLUMNS = ["evaluation_model", "evaluation_llm_model"] as const;
const REQUIRED = ["parent_gen_id", "score"] as const;

const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

function pickColumn(file: string, columns: string[], names: readonly string[]): string {
  const found = names.find((name) => columns.includes(name));
  if (found === undefined) {
    throw new RawInputError(
      { file, line: 1, column: names[0] },
      `required column is missing from the header (accepted names: ${names.join(", ")})`,
      `add a "${names[0]}" column; parsed_scores.csv as written by the parsed_scores asset has it`,
      { code: "PARSED_SCORES_COLUMN_MISSING" },
    );
  }
  return found;
}

function readScore(file: string, record: RawRecord): number {
  const raw = record.cells.score;
  if (!NUMBER.test(raw) || !Number.isFinite(Number(raw))) {
    throw new RawInputError(
      { file, row: record.row, line: record.line, column: "score" },
      `score "${raw}" is not a number`,
      "write the score as a number (e.g. 7.0), or leave it empty and put the reason in the error column",
      { code: "PARSED_SCORES_INVALID" },
    );
  }
  return Number(raw);
}

function readEssayId(file: string, record: RawRecord): string {
  const id = record.cells.parent_gen_id;
  try {
    return assertSafeId(id, "essay gen_id");
  } catch (err) {
    if (!(err instanceof UnsafeIdError)) throw err;
    throw new RawInputError(
      { file, row: record.row, line: record.line, column: "parent_gen_id" },
      id === "" ? "a scored row has an empty parent_gen_id" : err.message,
      "parent_gen_id is the evaluated essay's gen_id; materialize parsed_scores again",
      { code: "PARSED_SCORES_INVALID", cause: err },
    );
  }
}

/** The usable scores of a parsed_scores.csv text; `file` names it in errors. */
export function scoreTableFromText(file: string, text: string): ScoreTable {
  const table = parseRawTable(file, text, REQUIRED);
  const templateColumn = pickColumn(file, table.columns, TEMPLATE_COLUMNS);
  const modelColumn = pickColumn(file, table.columns, MODEL_COLUMNS);
  const hasErrorColumn = table.columns.includes("error");
  const hasCohortColumn = table.columns.includes("cohort_id");
  const templates = new Set<string>();
  const models = new Set<string>();
  const cohorts = new Set<string>();
  const records: ScoreRecord[] = [];
  let ignored = 0;
  for (const record of table.records) {
    const evaluationTemplate = record.cells[templateColumn];
    const evaluationModel = record.cells[modelColumn];
    const cohortId = hasCohortColumn ? record.cells.cohort_id : "";
    templates.add(evaluationTemplate);
    models.add(evaluationModel);
    cohorts.add(cohortId);
    if ((hasErrorColumn && record.cells.error !== "") || record.cells.score === "") {
      ignored++;
      continue;
    }
    records.push({
      essayGenId: readEssayId(file, record),
      evaluationTemplate,
      evaluationModel,
      cohortId,
      score: readScore(file, record),
      line: record.line,
    });
  }
  return {
    file,
    records,
    templates: [...templates].sort(compareCodePoints),
    models: [...models].sort(compareCodePoints),
    cohorts: hasCohortColumn ? [...cohorts].sort(compareCodePoints) : undefined,
    ignored,
  };
}

/** Read parsed_scores.csv; a missing file fails naming it and the asset that writes it. */
export function readScoreTable(file: string): ScoreTable {
  if (!fs.existsSync(file)) {
    throw new ResultsError("PARSED_SCORES_MISSING", `${displayPath(file)}: file not found`, {
      context: { file: displayPath(file) },
      hint: "materialize it first (npx assets materialize --select parsed_scores) or pass --parsed-scores FILE",
    });
  }
  return scoreTableFromText(file, readRawText(file, "materialize parsed_scores"));
}
