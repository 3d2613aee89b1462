import path from "node:path";
import { GensStore } from "../gens/store.ts";
import { AtomicCsvWriter } from "../raw/atomic-file.ts";
import { readTemplates } from "../raw/templates.ts";
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

/** data/7_cross_experiment/parsed_scores.csv under a data root. */
export function parsedScoresPath(root: string): string {
  return path.join(root, "7_cross_experiment", "parsed_scores.csv");
}

export interface ParsedScoresSummary {
  /** Absolute path of the CSV written. */
  file: string;
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
 * store and writes parsed_scores.csv atomically, streaming rows chunk by chunk.
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
    rows: 0,
    scored: 0,
    errors: 0,
    missing: 0,
    cohortIds: [],
    contextWarnings: resolver.warnings,
    contextWarningCount: 0,
  };
  const cohorts = new Set<string>();
  const writer = new AtomicCsvWriter(file, PARSED_SCORES_COLUMNS);
  try {
    for (let start = 0; start < tasks.length; start += CHUNK) {
      opts.signal?.throwIfAborted();
      const chunk = tasks.slice(start, start + CHUNK);
      const read = await Promise.all(chunk.map((t) => readEvaluationFiles(store, t.gen_id)));
      const gens = new Map<string, EvaluationGenFiles>(chunk.map((t, k) => [t.gen_id, read[k]]));
      const essays = new Map<string, EssayContext>();
      for (const t of chunk) essays.set(t.parent_gen_id, await resolver.resolve(t.parent_gen_id));
      for (const row of buildParsedScores({ evaluations: chunk, gens, templateParsers, essays })) {
        writer.writeRow(parsedScoreCells(row));
        summary.rows++;
        if (row.score !== "") summary.scored++;
        else summary.errors++;
        const files = gens.get(row.gen_id);
        if (!files?.problem && files?.parsed === undefined && files?.raw === undefined) summary.missing++;
        if (row.cohort_id !== "") cohorts.add(row.cohort_id);
      }
    }
  } catch (err) {
    writer.abort();
    throw err;
  }
  writer.commit();
  summary.cohortIds = [...cohorts].sort();
  summary.contextWarningCount = resolver.warningCount;
  return summary;
}
