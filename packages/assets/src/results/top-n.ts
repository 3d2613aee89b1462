import { displayPath } from "../config/data-root.ts";
import { compareCodePoints } from "../ids.ts";
import { ResultsError } from "./errors.ts";
import type { ScoreTable } from "./score-table.ts";

export interface RankOptions {
  /** Evaluation templates whose scores count; default every template in the table. */
  templates?: readonly string[];
  /** Evaluation models whose scores count; default every model in the table. */
  models?: readonly string[];
  /** Cohorts whose evaluations count (the cohort_id column); default every row. */
  cohorts?: readonly string[];
}

export interface RankedEssay {
  /** 1-based position in the ranking. */
  rank: number;
  essayGenId: string;
  meanScore: number;
  /** Scores averaged. */
  evaluations: number;
}

export interface Ranking {
  /** Every essay with at least one chosen score, best first. */
  essays: RankedEssay[];
  /** The chosen templates and models, and whether they were given or defaulted to all. */
  templates: string[];
  models: string[];
  allTemplates: boolean;
  allModels: boolean;
  /** The chosen cohorts; undefined when every row counts. */
  cohorts?: string[];
  /** Chosen templates / models / cohorts no row of the table names (probably a typo). */
  absentTemplates: string[];
  absentModels: string[];
  absentCohorts: string[];
}

/** Best first: higher mean score, then essay gen_id ascending, so equal means always rank the same way. */
export function compareRanked(a: Omit<RankedEssay, "rank">, b: Omit<RankedEssay, "rank">): number {
  return b.meanScore - a.meanScore || compareCodePoints(a.essayGenId, b.essayGenId);
}

/** Summing in ascending order makes the mean of the same scores identical whatever the row order. */
function mean(scores: number[]): number {
  scores.sort((x, y) => x - y);
  let sum = 0;
  for (const s of scores) sum += s;
  return sum / scores.length;
}

function uniqueSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareCodePoints);
}

/**
 * Ranks essays (parent_gen_id) by their mean score over the chosen evaluation templates and
 * models. Fails when no usable score is left, naming the file and the filters.
 */
export function rankEssays(table: ScoreTable, opts: RankOptions = {}): Ranking {
  const templates = opts.templates ? uniqueSorted(opts.templates) : table.templates;
  const models = opts.models ? uniqueSorted(opts.models) : table.models;
  const cohorts = opts.cohorts ? uniqueSorted(opts.cohorts) : undefined;
  if (cohorts && table.cohorts === undefined) {
    throw new ResultsError(
      "PARSED_SCORES_NO_COHORTS",
      `${displayPath(table.file)}: --cohort needs a cohort_id column, and the file has none`,
      {
        context: { file: displayPath(table.file), option: "--cohort" },
        hint: "materialize parsed_scores again (its rows carry cohort_id), or leave out --cohort",
      },
    );
  }
  const keepTemplate = new Set(templates);
  const keepModel = new Set(models);
  const keepCohort = cohorts ? new Set(cohorts) : undefined;
  const byEssay = new Map<string, number[]>();
  for (const r of table.records) {
    if (!keepTemplate.has(r.evaluationTemplate) || !keepModel.has(r.evaluationModel)) continue;
    if (keepCohort && !keepCohort.has(r.cohortId)) continue;
    const scores = byEssay.get(r.essayGenId);
    if (scores) scores.push(r.score);
    else byEssay.set(r.essayGenId, [r.score]);
  }
  const ranking: Ranking = {
    essays: [],
    templates,
    models,
    allTemplates: opts.templates === undefined,
    allModels: opts.models === undefined,
    cohorts,
    absentTemplates: templates.filter((t) => !table.templates.includes(t)),
    absentModels: models.filter((m) => !table.models.includes(m)),
    absentCohorts: (cohorts ?? []).filter((c) => !table.cohorts?.includes(c)),
  };
  if (byEssay.size === 0) {
    throw new ResultsError(
      "NO_SCORES_SELECTED",
      `${displayPath(table.file)}: no usable score left after filtering (${describeCriteria(ranking)}; ` +
        `${table.records.length} usable rows, ${table.ignored} with an error or empty score)`,
      {
        context: { file: displayPath(table.file) },
        hint:
          `templates in the file: ${table.templates.join(", ") || "none"}; models: ${table.models.join(", ") || "none"}; ` +
          `${table.cohorts ? `cohorts: ${table.cohorts.join(", ") || "none"}; ` : ""}` +
          "check --templates/--models/--cohort, or materialize evaluation_response and parsed_scores",
      },
    );
  }
  ranking.essays = [...byEssay]
    .map(([essayGenId, scores]) => ({ essayGenId, meanScore: mean(scores), evaluations: scores.length }))
    .sort(compareRanked)
    .map((essay, index) => ({ rank: index + 1, ...essay }));
  return ranking;
}

/** The first `n` essays of the ranking. */
export function selectTop(ranking: Ranking, n: number): RankedEssay[] {
  return ranking.essays.slice(0, n);
}

/** `--top-n` as given on the command line: a positive integer, else a usage error. */
export function parseTopN(text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ResultsError(
      "TOP_N_INVALID",
      `--top-n must be a positive integer, got ${JSON.stringify(text)}`,
      {
        context: { option: "--top-n" },
        hint: "e.g. --top-n 10",
      },
    );
  }
  return n;
}

/** A comma-separated option (`--templates a,b`): trimmed, empty items dropped; none left is a usage error. */
export function parseList(option: string, text: string): string[] {
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) {
    throw new ResultsError("OPTION_LIST_EMPTY", `${option} names nothing (got ${JSON.stringify(text)})`, {
      context: { option },
      hint: `give comma-separated ids, e.g. ${option} a,b, or leave the option out to use all`,
    });
  }
  return items;
}

/**
 * e.g. `mean score over evaluation templates a, b (all in the file) and evaluation models m1
 * in cohorts c1; ties by essay gen_id`.
 */
export function describeCriteria(
  ranking: Pick<Ranking, "templates" | "models" | "allTemplates" | "allModels" | "cohorts">,
): string {
  const list = (items: string[], all: boolean) =>
    `${items.join(", ") || "none"}${all ? " (all in the file)" : ""}`;
  const cohorts = ranking.cohorts ? ` in cohorts ${ranking.cohorts.join(", ")}` : "";
  return (
    `mean score over evaluation templates ${list(ranking.templates, ranking.allTemplates)} ` +
    `and evaluation models ${list(ranking.models, ranking.allModels)}${cohorts}; ties by essay gen_id`
  );
}

/** The ranking as an aligned text table (rank, essay gen_id, mean score, evaluations). */
export function formatRankingTable(essays: readonly RankedEssay[]): string {
  const header = ["rank", "essay_gen_id", "mean_score", "evaluations"];
  const rows = essays.map((e) => [
    String(e.rank),
    e.essayGenId,
    e.meanScore.toFixed(3),
    String(e.evaluations),
  ]);
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, k) => (k === 1 ? c.padEnd(widths[k]) : c.padStart(widths[k])))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}
