import { compareCodePoints } from "../ids.ts";
import { pyFloatRepr } from "../parsing/python-compat.ts";

/** The essay columns a pivot row starts with (the original's index, essay_template for its generation_template). */
export const PIVOT_ESSAY_COLUMNS = [
  "combo_id",
  "draft_template",
  "essay_template",
  "generation_model",
  "parent_gen_id",
] as const;

type EssayColumn = (typeof PIVOT_ESSAY_COLUMNS)[number];

/** One usable score: its essay's cells, its evaluator and the score. */
export interface PivotScore {
  essay: Record<EssayColumn, string>;
  evaluationTemplate: string;
  evaluationModel: string;
  score: number;
}

export interface ScorePivot {
  /** The evaluator columns, `{evaluation_model}_{evaluation_template}` as the original named them, sorted. */
  evaluators: string[];
  columns: string[];
  rows: string[][];
}

/** The original's evaluator column name: model, `_`, template. */
export function evaluatorColumn(model: string, template: string): string {
  return `${model}_${template}`;
}

/** numpy's round(x, 2): halves go to the even hundredth, as pandas' .round(2) did. */
export function round2(x: number): number {
  const scaled = x * 100;
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  const rounded = diff > 0.5 ? floor + 1 : diff < 0.5 ? floor : floor % 2 === 0 ? floor : floor + 1;
  return rounded / 100;
}

interface Cell {
  sum: number;
  min: number;
  max: number;
  n: number;
}

/**
 * One row per essay, and per evaluator (evaluation template x model) the mean over its
 * scores (the replicates) with `_min`, `_max` and `_n` columns, as the original's later
 * generation_scores_pivot: means, then every `_min`, every `_max`, every `_n` column;
 * values rounded to 2 decimals; an evaluator with no score for an essay has empty cells
 * and `_n` 0. Rows are sorted by the essay columns.
 */
export function buildScorePivot(scores: Iterable<PivotScore>): ScorePivot {
  const essays = new Map<string, { essay: string[]; cells: Map<string, Cell> }>();
  const evaluatorSet = new Set<string>();
  for (const s of scores) {
    const essay = PIVOT_ESSAY_COLUMNS.map((c) => s.essay[c]);
    const key = essay.join("\u0000");
    let entry = essays.get(key);
    if (!entry) {
      entry = { essay, cells: new Map() };
      essays.set(key, entry);
    }
    const evaluator = evaluatorColumn(s.evaluationModel, s.evaluationTemplate);
    evaluatorSet.add(evaluator);
    const cell = entry.cells.get(evaluator);
    if (cell) {
      cell.sum += s.score;
      cell.min = Math.min(cell.min, s.score);
      cell.max = Math.max(cell.max, s.score);
      cell.n++;
    } else entry.cells.set(evaluator, { sum: s.score, min: s.score, max: s.score, n: 1 });
  }
  const evaluators = [...evaluatorSet].sort(compareCodePoints);
  const number = (x: number | undefined) => (x === undefined ? "" : pyFloatRepr(round2(x)));
  const rows = [...essays.values()]
    .sort((a, b) => {
      for (let k = 0; k < a.essay.length; k++) {
        const order = compareCodePoints(a.essay[k], b.essay[k]);
        if (order !== 0) return order;
      }
      return 0;
    })
    .map(({ essay, cells }) => {
      const of = (e: string) => cells.get(e);
      return [
        ...essay,
        ...evaluators.map((e) => {
          const c = of(e);
          return number(c && c.sum / c.n);
        }),
        ...evaluators.map((e) => number(of(e)?.min)),
        ...evaluators.map((e) => number(of(e)?.max)),
        ...evaluators.map((e) => String(of(e)?.n ?? 0)),
      ];
    });
  const columns = [
    ...PIVOT_ESSAY_COLUMNS,
    ...evaluators,
    ...evaluators.map((e) => `${e}_min`),
    ...evaluators.map((e) => `${e}_max`),
    ...evaluators.map((e) => `${e}_n`),
  ];
  return { evaluators, columns, rows };
}
