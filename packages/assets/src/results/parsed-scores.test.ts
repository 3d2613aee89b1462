import { describe, expect, it } from "vitest";
import { buildMetadata } from "../gens/metadata.ts";
import {
  buildParsedScores,
  type EssayContext,
  type EvaluationGenFiles,
  type EvaluationTask,
  PARSED_SCORES_COLUMNS,
  parsedScoreCells,
  scoreFromParsedText,
} from "./parsed-scores.ts";

function task(genId: string, over: Partial<EvaluationTask> = {}): EvaluationTask {
  return {
    gen_id: genId,
    parent_gen_id: "essay1",
    evaluation_template: "novelty",
    evaluation_model: "sonnet",
    cohort_id: "cohort-a",
    evaluation_task_id: `essay1__novelty__sonnet`,
    parser: "",
    replicate: "1",
    ...over,
  };
}

const ESSAY: EssayContext = {
  draft_gen_id: "draft1",
  combo_id: "combo_v1_abc",
  draft_template: "brainstorm",
  essay_template: "essay-v1",
  generation_model: "gpt",
};

function build(
  evaluations: EvaluationTask[],
  gens: Record<string, EvaluationGenFiles>,
  parsers: Record<string, string> = { novelty: "in_last_line", legacy: "complex" },
) {
  return buildParsedScores({
    evaluations,
    gens: new Map(Object.entries(gens)),
    templateParsers: new Map(Object.entries(parsers)),
    essays: new Map([["essay1", ESSAY]]),
  });
}

describe("scoreFromParsedText", () => {
  it("reads the float evaluation_response writes", () => {
    expect(scoreFromParsedText("7.0\n")).toBe(7);
    expect(scoreFromParsedText("6.666666666666667\n")).toBeCloseTo(20 / 3, 12);
  });

  it("rejects text that is not a number in 0-10", () => {
    expect(() => scoreFromParsedText("seven\n")).toThrow(/does not hold a number/);
    expect(() => scoreFromParsedText("")).toThrow(/does not hold a number/);
    expect(() => scoreFromParsedText("11.0\n")).toThrow(/outside 0-10/);
  });
});

describe("buildParsedScores", () => {
  it("takes the score from parsed.txt and the essay context from the essay lookup", () => {
    const [row] = build([task("ev1")], { ev1: { parsed: "8.0\n", raw: "ignored" } });
    expect(row).toEqual({
      gen_id: "ev1",
      parent_gen_id: "essay1",
      evaluation_template: "novelty",
      evaluation_model: "sonnet",
      score: "8.0",
      error: "",
      cohort_id: "cohort-a",
      combo_id: "combo_v1_abc",
      draft_template: "brainstorm",
      essay_template: "essay-v1",
      generation_model: "gpt",
      draft_gen_id: "draft1",
      evaluation_task_id: "essay1__novelty__sonnet",
      parser: "in_last_line",
      score_source: "parsed",
      replicate: "1",
    });
    expect(parsedScoreCells(row)).toHaveLength(PARSED_SCORES_COLUMNS.length);
  });

  it("parses raw.txt with the template's parser when there is no parsed.txt", () => {
    const rows = build([task("ev1"), task("ev2", { evaluation_template: "legacy" })], {
      ev1: { raw: "Thoughtful.\nSCORE: 6.5\n" },
      ev2: { raw: "Reasoning...\nTotal Score: 3/4\n" },
    });
    expect(rows.map((r) => [r.score, r.score_source, r.parser])).toEqual([
      ["6.5", "raw", "in_last_line"],
      ["7.5", "raw", "complex"],
    ]);
  });

  it("prefers the task row's parser over the template table's", () => {
    const [row] = build([task("ev1", { parser: "complex" })], { ev1: { raw: "Final Score: 4/5\n" } });
    expect(row.score).toBe("8.0");
    expect(row.parser).toBe("complex");
  });

  it("puts an unparseable response's reason in error with an empty score, keeping the other rows", () => {
    const rows = build([task("ev1"), task("ev2")], {
      ev1: { raw: "I liked it a lot.\nNo number here.\n" },
      ev2: { parsed: "5.0\n" },
    });
    expect(rows[0].score).toBe("");
    expect(rows[0].score_source).toBe("");
    expect(rows[0].error).toMatch(/no score found in the last 3 non-empty lines/);
    expect(rows[1].score).toBe("5.0");
    expect(rows[1].error).toBe("");
  });

  it("reports an evaluation without parsed.txt or raw.txt as not generated", () => {
    const [row] = build([task("ev1")], {});
    expect(row.score).toBe("");
    expect(row.error).toMatch(/not generated: no parsed.txt or raw.txt/);
    expect(row.combo_id).toBe("combo_v1_abc");
  });

  it("reports a parsed.txt that holds no score", () => {
    const [row] = build([task("ev1")], { ev1: { parsed: "n/a\n" } });
    expect(row.error).toMatch(/parsed.txt does not hold a number/);
  });

  it("reports an unknown or missing parser instead of guessing one", () => {
    const rows = build([task("ev1", { parser: "nope" }), task("ev2", { evaluation_template: "unlisted" })], {
      ev1: { raw: "SCORE: 5" },
      ev2: { raw: "SCORE: 5" },
    });
    expect(rows[0].error).toMatch(/unknown evaluation parser "nope"; registered: complex, in_last_line/);
    expect(rows[1].error).toMatch(/no parser for evaluation template unlisted/);
  });

  it("passes on a store problem as the row's error", () => {
    const [row] = build([task("ev1")], { ev1: { problem: "metadata.json is not valid JSON" } });
    expect(row.error).toBe("metadata.json is not valid JSON");
  });

  it("refuses a score whose metadata names another essay or template", () => {
    const other = buildMetadata("evaluation", "ev1", {
      parent_gen_id: "essay9",
      evaluation_template: "novelty",
    });
    const otherTemplate = buildMetadata("evaluation", "ev2", {
      parent_gen_id: "essay1",
      evaluation_template: "clarity",
    });
    const rows = build([task("ev1"), task("ev2")], {
      ev1: { parsed: "9.0\n", metadata: other },
      ev2: { parsed: "9.0\n", metadata: otherTemplate },
    });
    expect(rows[0].score).toBe("");
    expect(rows[0].error).toMatch(/parent essay essay9, the task row essay1/);
    expect(rows[1].error).toMatch(/evaluation template clarity, the task row novelty/);
  });

  it("fills cohort_id and task id from metadata when the task row leaves them empty", () => {
    const metadata = buildMetadata("evaluation", "ev1", {
      parent_gen_id: "essay1",
      cohort_id: "cohort-meta",
      task_id: "t-meta",
    });
    const [row] = build([task("ev1", { cohort_id: "", evaluation_task_id: "" })], {
      ev1: { parsed: "2.0\n", metadata },
    });
    expect(row.cohort_id).toBe("cohort-meta");
    expect(row.evaluation_task_id).toBe("t-meta");
  });

  it("leaves the essay cells empty for an essay it knows nothing about", () => {
    const [row] = build([task("ev1", { parent_gen_id: "essay-unknown" })], { ev1: { parsed: "1.0\n" } });
    expect([row.combo_id, row.draft_template, row.essay_template, row.generation_model]).toEqual([
      "",
      "",
      "",
      "",
    ]);
    expect(row.score).toBe("1.0");
  });
});
