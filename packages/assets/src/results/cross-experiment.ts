import fs from "node:fs";
import path from "node:path";
import { displayPath } from "../config/data-root.ts";
import { AtomicCsvWriter } from "../raw/atomic-file.ts";
import { readRawText } from "../raw/csv-table.ts";
import { CsvSyntaxError, formatCsvLine, isBlankRecord, parseCsv } from "../raw/csv-text.ts";
import { ResultsError } from "./errors.ts";
import { PARSED_SCORES_COLUMNS } from "./parsed-scores.ts";

/** data/7_cross_experiment/parsed_scores.csv: every cohort's evaluations, one row per gen_id. */
export function parsedScoresPath(root: string): string {
  return path.join(root, "7_cross_experiment", "parsed_scores.csv");
}

const MOVE_ASIDE =
  "move the file aside (it is rebuilt from the cohorts materialized from now on) and run again";

function invalid(file: string, problem: string, line?: number): ResultsError {
  return new ResultsError(
    "PARSED_SCORES_INVALID",
    `${displayPath(file)}${line ? `, line ${line}` : ""}: ${problem}`,
    {
      context: { asset: "parsed_scores", file: displayPath(file), line },
      hint: MOVE_ASIDE,
    },
  );
}

/**
 * Starts the new cross-experiment table (not committed: the caller commits or aborts it
 * with its other files). Rows of the existing file keep their place, a row whose gen_id
 * `fresh` has is replaced by the fresh line, every other row is kept (columns matched by
 * name; a column the old file lacks is empty), then the fresh rows not seen yet follow
 * in their order. `fresh` maps gen_id to a line formatted in PARSED_SCORES_COLUMNS order.
 */
export function mergeCrossExperiment(
  file: string,
  fresh: ReadonlyMap<string, string>,
): { writer: AtomicCsvWriter; rows: number } {
  const pending = new Map(fresh);
  const writer = new AtomicCsvWriter(file, PARSED_SCORES_COLUMNS);
  let rows = 0;
  try {
    if (fs.existsSync(file)) {
      let source: number[] | undefined;
      let genIdColumn = -1;
      parseCsv(readRawText(file, "materialize parsed_scores"), (fields, line) => {
        if (isBlankRecord(fields)) return;
        if (!source) {
          genIdColumn = fields.indexOf("gen_id");
          if (genIdColumn < 0) throw invalid(file, "the header has no gen_id column", line);
          source = PARSED_SCORES_COLUMNS.map((c) => fields.indexOf(c));
          return;
        }
        const genId = fields[genIdColumn] ?? "";
        const replacement = pending.get(genId);
        if (replacement !== undefined) pending.delete(genId);
        writer.writeLine(replacement ?? formatCsvLine(source.map((k) => (k < 0 ? "" : (fields[k] ?? "")))));
        rows++;
      });
    }
    for (const line of pending.values()) {
      writer.writeLine(line);
      rows++;
    }
  } catch (err) {
    writer.abort();
    if (err instanceof CsvSyntaxError) throw invalid(file, err.problem, err.line);
    throw err;
  }
  return { writer, rows };
}
