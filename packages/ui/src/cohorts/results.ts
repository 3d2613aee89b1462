/**
 * Cohort results: essays ranked by mean score over their parsed evaluations
 * (ties broken by essay gen_id, as the top-N script does), and the score
 * distributions by evaluation template and by generation model for the chart.
 */
import { type ComparisonGrid, comparisonGrid, type GridTemplateAxis } from "./comparison.ts";
import type { MemberRow } from "./membership.ts";
import type { GensScan } from "./scan.ts";

/** Scores kept per chart group; beyond this the dots are a sample, the statistics stay exact. */
const MAX_SCORES_PER_GROUP = 2_000;

export interface EssayScore {
  evaluationGenId: string;
  evaluationTemplate: string;
  evaluationModel: string;
  score: number;
}

export interface RankedEssay {
  rank: number;
  essayGenId: string;
  draftGenId: string;
  comboId: string;
  draftTemplate: string;
  essayTemplate: string;
  generationModel: string;
  meanScore: number;
  evaluations: EssayScore[];
}

export interface ScoreGroup {
  key: string;
  n: number;
  mean: number;
  min: number;
  max: number;
  scores: number[];
}

export interface CohortResults {
  scoredEssays: number;
  parsedEvaluations: number;
  invalidScores: { genId: string; text: string }[];
  ranked: RankedEssay[];
  byEvaluationTemplate: ScoreGroup[];
  byGenerationModel: ScoreGroup[];
  /** Models x templates, with the spread over replicate runs. */
  comparison: ComparisonGrid;
}

export function cohortResults(
  rows: MemberRow[],
  scan: GensScan,
  top: number,
  gridAxis: GridTemplateAxis = "essay",
): CohortResults {
  const essays = new Map(rows.filter((r) => r.stage === "essay").map((r) => [r.genId, r]));
  const perEssay = new Map<string, EssayScore[]>();
  const byTemplate = new Map<string, number[]>();
  const byModel = new Map<string, number[]>();
  for (const row of rows) {
    if (row.stage !== "evaluation") continue;
    const score = scan.scores.get(row.genId);
    if (score === undefined) continue;
    const list = perEssay.get(row.parentGenId) ?? [];
    list.push({
      evaluationGenId: row.genId,
      evaluationTemplate: row.evaluationTemplate,
      evaluationModel: row.evaluationModel,
      score,
    });
    perEssay.set(row.parentGenId, list);
    push(byTemplate, row.evaluationTemplate, score);
    // Parent integrity is enforced by cohort_membership; an essay missing here shows as "(not in membership)".
    push(byModel, essays.get(row.parentGenId)?.generationModel ?? "(not in membership)", score);
  }
  const ranked = [...perEssay.entries()]
    .map(([essayGenId, evaluations]) => {
      const essay = essays.get(essayGenId);
      return {
        rank: 0,
        essayGenId,
        draftGenId: essay?.parentGenId ?? "",
        comboId: essay?.comboId ?? "",
        draftTemplate: essay?.draftTemplate ?? "",
        essayTemplate: essay?.essayTemplate ?? "",
        generationModel: essay?.generationModel ?? "",
        meanScore: mean(evaluations.map((e) => e.score)),
        evaluations,
      };
    })
    .sort((a, b) => b.meanScore - a.meanScore || (a.essayGenId < b.essayGenId ? -1 : 1));
  ranked.forEach((essay, i) => {
    essay.rank = i + 1;
  });
  return {
    scoredEssays: ranked.length,
    parsedEvaluations: scan.scores.size,
    invalidScores: [...scan.invalidScores].slice(0, 20).map(([genId, text]) => ({ genId, text })),
    ranked: ranked.slice(0, top),
    byEvaluationTemplate: groups(byTemplate),
    byGenerationModel: groups(byModel),
    comparison: comparisonGrid(rows, scan, gridAxis),
  };
}

function push(map: Map<string, number[]>, key: string, score: number): void {
  const list = map.get(key);
  if (list) list.push(score);
  else map.set(key, [score]);
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function groups(map: Map<string, number[]>): ScoreGroup[] {
  return [...map.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, scores]) => ({
      key,
      n: scores.length,
      mean: mean(scores),
      min: scores.reduce((a, b) => Math.min(a, b)),
      max: scores.reduce((a, b) => Math.max(a, b)),
      scores: scores.slice(0, MAX_SCORES_PER_GROUP),
    }));
}
