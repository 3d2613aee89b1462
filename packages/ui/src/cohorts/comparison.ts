/**
 * The models x templates comparison grid of a cohort's scores: one cell per (model,
 * template) with the mean over its evaluations and the spread over replicates. A
 * replicate run is every evaluation sharing one replicate path (draft, essay and
 * evaluation replicate): a full repeat of the experiment. The spread is the lowest and
 * highest cell mean any single run gives, so a difference between two cells smaller than
 * their spreads may be noise.
 */
import type { MemberRow } from "./membership.ts";
import type { GensScan } from "./scan.ts";

/** Which templates make the columns; models are the generation models, or the evaluation models for "evaluation". */
export const GRID_TEMPLATE_AXES = ["essay", "draft", "evaluation"] as const;
export type GridTemplateAxis = (typeof GRID_TEMPLATE_AXES)[number];

export interface ComparisonCell {
  model: string;
  template: string;
  /** Scored evaluations in the cell. */
  n: number;
  mean: number;
  /** Replicate runs with at least one score in the cell. */
  runs: number;
  /** Lowest and highest mean of a single replicate run (equal to `mean` with one run). */
  runMin: number;
  runMax: number;
}

export interface ComparisonGrid {
  templateAxis: GridTemplateAxis;
  modelAxis: "generation" | "evaluation";
  models: string[];
  templates: string[];
  /** Cells that have scores, by model then template. */
  cells: ComparisonCell[];
  /** Largest number of replicate runs of a cell: 1 means the cohort has no replicates to compare. */
  maxRuns: number;
}

interface Tally {
  sum: number;
  n: number;
  runs: Map<string, { sum: number; n: number }>;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function comparisonGrid(
  rows: MemberRow[],
  scan: GensScan,
  templateAxis: GridTemplateAxis,
): ComparisonGrid {
  const drafts = new Map<string, MemberRow>();
  const essays = new Map<string, MemberRow>();
  for (const row of rows) {
    if (row.stage === "draft") drafts.set(row.genId, row);
    else if (row.stage === "essay") essays.set(row.genId, row);
  }
  const tallies = new Map<string, Map<string, Tally>>();
  for (const row of rows) {
    if (row.stage !== "evaluation") continue;
    const score = scan.scores.get(row.genId);
    if (score === undefined) continue;
    const essay = essays.get(row.parentGenId);
    const draft = essay ? drafts.get(essay.parentGenId) : undefined;
    const model = templateAxis === "evaluation" ? row.evaluationModel : (essay?.generationModel ?? "");
    const template =
      templateAxis === "evaluation"
        ? row.evaluationTemplate
        : templateAxis === "essay"
          ? (essay?.essayTemplate ?? "")
          : (essay?.draftTemplate ?? "");
    const run = `${draft?.replicate ?? 1}.${essay?.replicate ?? 1}.${row.replicate}`;
    let byTemplate = tallies.get(model);
    if (!byTemplate) {
      byTemplate = new Map();
      tallies.set(model, byTemplate);
    }
    let tally = byTemplate.get(template);
    if (!tally) {
      tally = { sum: 0, n: 0, runs: new Map() };
      byTemplate.set(template, tally);
    }
    tally.sum += score;
    tally.n++;
    const r = tally.runs.get(run);
    if (r) {
      r.sum += score;
      r.n++;
    } else tally.runs.set(run, { sum: score, n: 1 });
  }
  const cells: ComparisonCell[] = [];
  const templates = new Set<string>();
  for (const [model, byTemplate] of tallies) {
    for (const [template, t] of byTemplate) {
      templates.add(template);
      const runMeans = [...t.runs.values()].map((r) => r.sum / r.n);
      cells.push({
        model,
        template,
        n: t.n,
        mean: t.sum / t.n,
        runs: runMeans.length,
        runMin: Math.min(...runMeans),
        runMax: Math.max(...runMeans),
      });
    }
  }
  cells.sort((a, b) => byText(a.model, b.model) || byText(a.template, b.template));
  return {
    templateAxis,
    modelAxis: templateAxis === "evaluation" ? "evaluation" : "generation",
    models: [...tallies.keys()].sort(byText),
    templates: [...templates].sort(byText),
    cells,
    maxRuns: cells.reduce((m, c) => Math.max(m, c.runs), 0),
  };
}
