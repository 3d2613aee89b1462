import { describe, expect, it } from "vitest";
import type { ScoreRecord, ScoreTable } from "./score-table.ts";
import {
  describeCriteria,
  formatRankingTable,
  parseList,
  parseTopN,
  rankEssays,
  selectTop,
} from "./top-n.ts";

function table(
  rows: Array<[essay: string, template: string, model: string, score: number, cohort?: string]>,
): ScoreTable {
  const records: ScoreRecord[] = rows.map(
    ([essayGenId, evaluationTemplate, evaluationModel, score, cohortId = "cohort-a"], k) => ({
      essayGenId,
      evaluationTemplate,
      evaluationModel,
      cohortId,
      score,
      line: k + 2,
    }),
  );
  return {
    file: "scores.csv",
    records,
    templates: [...new Set(records.map((r) => r.evaluationTemplate))].sort(),
    models: [...new Set(records.map((r) => r.evaluationModel))].sort(),
    cohorts: [...new Set(records.map((r) => r.cohortId))].sort(),
    ignored: 0,
  };
}

const SCORES = table([
  ["e1", "novelty", "sonnet", 6],
  ["e1", "novelty", "gpt", 8],
  ["e1", "clarity", "sonnet", 1],
  ["e2", "novelty", "sonnet", 9],
  ["e2", "clarity", "sonnet", 9],
  ["e3", "clarity", "gpt", 2],
]);

const ids = (r: ReturnType<typeof rankEssays>) =>
  r.essays.map((e) => [e.essayGenId, e.meanScore, e.evaluations]);

describe("rankEssays", () => {
  it("ranks by mean score over every template and model by default", () => {
    const ranking = rankEssays(SCORES);
    expect(ids(ranking)).toEqual([
      ["e2", 9, 2],
      ["e1", 5, 3],
      ["e3", 2, 1],
    ]);
    expect(ranking.essays.map((e) => e.rank)).toEqual([1, 2, 3]);
    expect(ranking.templates).toEqual(["clarity", "novelty"]);
    expect(ranking.allTemplates).toBe(true);
  });

  it("ranks across cohorts by default and within the chosen cohorts with cohorts", () => {
    const scores = table([
      ["e1", "novelty", "sonnet", 4, "cohort-a"],
      ["e1", "novelty", "sonnet", 10, "cohort-b"],
      ["e2", "novelty", "sonnet", 6, "cohort-a"],
      ["e3", "novelty", "sonnet", 5, "cohort-b"],
    ]);
    expect(ids(rankEssays(scores))).toEqual([
      ["e1", 7, 2],
      ["e2", 6, 1],
      ["e3", 5, 1],
    ]);
    const inA = rankEssays(scores, { cohorts: ["cohort-a", "cohort-z"] });
    expect(ids(inA)).toEqual([
      ["e2", 6, 1],
      ["e1", 4, 1],
    ]);
    expect(inA.absentCohorts).toEqual(["cohort-z"]);
    expect(describeCriteria(inA)).toContain("in cohorts cohort-a, cohort-z; ties by essay gen_id");
  });

  it("refuses cohorts for a file without a cohort_id column", () => {
    expect(() => rankEssays({ ...SCORES, cohorts: undefined }, { cohorts: ["cohort-a"] })).toThrow(
      /--cohort needs a cohort_id column/,
    );
  });

  it("averages only the chosen templates and models", () => {
    expect(ids(rankEssays(SCORES, { templates: ["novelty"] }))).toEqual([
      ["e2", 9, 1],
      ["e1", 7, 2],
    ]);
    expect(ids(rankEssays(SCORES, { templates: ["novelty"], models: ["gpt"] }))).toEqual([["e1", 8, 1]]);
  });

  it("breaks ties by essay gen_id ascending, whatever the row order", () => {
    const rows: Array<[string, string, string, number]> = [
      ["eb", "t", "m", 0.1],
      ["eb", "t", "n", 0.2],
      ["eb", "t", "o", 0.3],
      ["ea", "t", "m", 0.3],
      ["ea", "t", "n", 0.2],
      ["ea", "t", "o", 0.1],
      ["ec", "t", "m", 0.2],
    ];
    const forward = rankEssays(table(rows)).essays.map((e) => e.essayGenId);
    const backward = rankEssays(table([...rows].reverse())).essays.map((e) => e.essayGenId);
    expect(forward).toEqual(["ea", "eb", "ec"]);
    expect(backward).toEqual(forward);
  });

  it("reports chosen templates and models that no row names", () => {
    const ranking = rankEssays(SCORES, { templates: ["novelty", "novelyt"], models: ["sonnet", "llama"] });
    expect(ranking.absentTemplates).toEqual(["novelyt"]);
    expect(ranking.absentModels).toEqual(["llama"]);
    expect(ids(ranking)).toEqual([
      ["e2", 9, 1],
      ["e1", 6, 1],
    ]);
  });

  it("fails naming the file and the filters when no score is left", () => {
    expect(() => rankEssays(SCORES, { templates: ["prior-art"] })).toThrow(
      /scores.csv: no usable score left after filtering \(mean score over evaluation templates prior-art/,
    );
    expect(() => rankEssays(table([]))).toThrow(expect.objectContaining({ code: "NO_SCORES_SELECTED" }));
  });
});

describe("selectTop", () => {
  it("keeps the first n, or all when fewer are ranked", () => {
    const ranking = rankEssays(SCORES);
    expect(selectTop(ranking, 2).map((e) => e.essayGenId)).toEqual(["e2", "e1"]);
    expect(selectTop(ranking, 10)).toHaveLength(3);
  });
});

describe("parseTopN", () => {
  it("accepts positive integers", () => {
    expect(parseTopN("1")).toBe(1);
    expect(parseTopN(" 25 ")).toBe(25);
  });

  it.each(["0", "-3", "2.5", "ten", "", "1e3", "99999999999999999999"])("rejects %j", (text) => {
    expect(() => parseTopN(text)).toThrow(/--top-n must be a positive integer/);
  });
});

describe("parseList", () => {
  it("splits on commas and trims", () => {
    expect(parseList("--templates", " a, b,,c ")).toEqual(["a", "b", "c"]);
  });

  it("rejects a list that names nothing", () => {
    expect(() => parseList("--models", " , ")).toThrow(/--models names nothing/);
  });
});

describe("formatting", () => {
  it("states the criteria and lays the ranking out in aligned columns", () => {
    const ranking = rankEssays(SCORES, { models: ["sonnet"] });
    expect(describeCriteria(ranking)).toBe(
      "mean score over evaluation templates clarity, novelty (all in the file) and evaluation models sonnet; ties by essay gen_id",
    );
    expect(formatRankingTable(ranking.essays).split("\n")).toEqual([
      "rank  essay_gen_id  mean_score  evaluations",
      "   1  e2                 9.000            2",
      "   2  e1                 3.500            2",
    ]);
  });
});
