import path from "node:path";
import { cohortDir } from "../config/paths.ts";
import { GensStore } from "../gens/store.ts";
import { assertSafeId } from "../ids.ts";
import { AtomicCsvWriter } from "../raw/atomic-file.ts";
import { formatCsvLine } from "../raw/csv-text.ts";
import { readTemplates } from "../raw/templates.ts";
import { mergeCrossExperiment, parsedScoresPath } from "./cross-experiment.ts";
import { EssayContextResolver } from "./essay-context.ts";
import { readEvaluationFiles } from "./evaluation-files.ts";
import {
  buildParsedScores,
  type EssayContext,
  type EvaluationGenFiles,
  PARSED_SCORES_COLUMNS,
  parsedScoreCells,
} from "./parsed-scores.ts";
import { readEssayTaskContexts, readEvaluationTasks } from "./task-rows.ts";

/** data/cohorts/<id>/parsed_scores.csv: the scores of one cohort's evaluations. */
export function cohortParsedScoresPath(root: string, cohortId: string): string {
  return path.join(cohortDir(root, assertSafeId(cohortId, "cohort id")), "parsed_scores.csv");
}

export interface ParsedScoresSummary {
  /** Absolute path of the cross-experiment CSV written. */
  file: string;
  /** Absolute paths of the per-cohort CSVs written (one per cohort of the evaluations). */
  cohortFiles: string[];
  /** Rows of the cross-experiment CSV: every cohort's evaluations scored so far. */
  crossRows: number;
  rows: number;
  scored: number;
  errors: number;
  /** Evaluations with neither parsed.txt nor raw.txt yet (counted in `errors` too). */
  missing: number;
  /** Distinct cohort ids of the rows, sorted. */
  cohortIds: string[];
  /** First few reasons essay context cells were left empty, and how many there were. */
  contextWarnings: string[];
  contextWarningCount: number;
}

// Evaluations whose files are read at once: enough to overlap file I/O, few enough that raw
// responses of a 100k-evaluation cohort never sit in memory together.
const CHUNK = 64;

/**
 * Scores every evaluation of the current cohort (data/2_tasks/evaluation_tasks.csv) from the gens
 * store and writes data/cohorts/<id>/parsed_scores.csv, streaming rows chunk by chunk, then
 * refreshes those rows in data/7_cross_experiment/parsed_scores.csv, where other cohorts' rows
 * stay. Every file is written atomically, and only once all of them are ready.
 */
export async function writeParsedScores(
  root: string,
  opts: { signal?: AbortSignal } = {},
): Promise<ParsedScoresSummary> {
  const { tasks } = readEvaluationTasks(root);
  const templateParsers = new Map(readTemplates(root, "evaluation").map((t) => [t.templateId, t.parser]));
  const store = new GensStore(root);
  const resolver = new EssayContextResolver(store, readEssayTaskContexts(root));
  const file = parsedScoresPath(root);
  const summary: ParsedScoresSummary = {
    file,
    cohortFiles: [],
    crossRows: 0,
    rows: 0,
    scored: 0,
    errors: 0,
    missing: 0,
    cohortIds: [],
    contextWarnings: resolver.warnings,
    contextWarningCount: 0,
  };
  const writers = new Map<string, AtomicCsvWriter>();
  const fresh = new Map<string, string>();
  const writerFor = (cohortId: string) => {
    let writer = writers.get(cohortId);
    if (!writer) {
      writer = new AtomicCsvWriter(cohortParsedScoresPath(root, cohortId), PARSED_SCORES_COLUMNS);
      writers.set(cohortId, writer);
    }
    return writer;
  };
  let cross: AtomicCsvWriter | undefined;
  try {
    for (let start = 0; start < tasks.length; start += CHUNK) {
      opts.signal?.throwIfAborted();
      const chunk = tasks.slice(start, start + CHUNK);
      const read = await Promise.all(chunk.map((t) => readEvaluationFiles(store, t.gen_id)));
      const gens = new Map<string, EvaluationGenFiles>(chunk.map((t, k) => [t.gen_id, read[k]]));
      const essays = new Map<string, EssayContext>();
      for (const t of chunk) essays.set(t.parent_gen_id, await resolver.resolve(t.parent_gen_id));
      for (const row of buildParsedScores({ evaluations: chunk, gens, templateParsers, essays })) {
        const line = formatCsvLine(parsedScoreCells(row));
        fresh.set(row.gen_id, line);
        // A row without a cohort (a legacy task table) goes to the cross-experiment table only.
        if (row.cohort_id !== "") writerFor(row.cohort_id).writeLine(line);
        summary.rows++;
        if (row.score !== "") summary.scored++;
        else summary.errors++;
        const files = gens.get(row.gen_id);
        if (!files?.problem && files?.parsed === undefined && files?.raw === undefined) summary.missing++;
      }
    }
    opts.signal?.throwIfAborted();
    const merged = mergeCrossExperiment(file, fresh);
    cross = merged.writer;
    summary.crossRows = merged.rows;
  } catch (err) {
    for (const writer of writers.values()) writer.abort();
    throw err;
  }
  for (const writer of writers.values()) writer.commit();
  cross.commit();
  summary.cohortIds = [...writers.keys()].sort();
  summary.cohortFiles = summary.cohortIds.map((id) => writers.get(id)!.file);
  summary.contextWarningCount = resolver.warningCount;
  return summary;
}
