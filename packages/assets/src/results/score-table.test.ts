import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readScoreTable, scoreTableFromText } from "./score-table.ts";

const HEADER = "gen_id,parent_gen_id,evaluation_template,evaluation_model,score,error";

describe("scoreTableFromText", () => {
  it("keeps scored rows and counts rows with an error or an empty score as ignored", () => {
    const table = scoreTableFromText(
      "scores.csv",
      `${HEADER}\nv1,e1,novelty,sonnet,7.0,\nv2,e1,novelty,gemini,,no score found\nv3,e2,clarity,sonnet,,\nv4,e2,clarity,sonnet,3.0,bad metadata\n`,
    );
    expect(table.records).toEqual([
      {
        essayGenId: "e1",
        evaluationTemplate: "novelty",
        evaluationModel: "sonnet",
        cohortId: "",
        score: 7,
        line: 2,
      },
    ]);
    expect(table.ignored).toBe(3);
    expect(table.templates).toEqual(["clarity", "novelty"]);
    expect(table.models).toEqual(["gemini", "sonnet"]);
    expect(table.cohorts).toBeUndefined();
  });

  it("reads each row's cohort_id when the file has the column", () => {
    const table = scoreTableFromText(
      "scores.csv",
      `${HEADER},cohort_id\nv1,e1,novelty,sonnet,7.0,,cohort-b\nv2,e2,novelty,sonnet,5.0,,cohort-a\nv3,e2,novelty,sonnet,,late,cohort-c\n`,
    );
    expect(table.records.map((r) => [r.essayGenId, r.cohortId])).toEqual([
      ["e1", "cohort-b"],
      ["e2", "cohort-a"],
    ]);
    expect(table.cohorts).toEqual(["cohort-a", "cohort-b", "cohort-c"]);
  });

  it("reads the Python pipeline's column names", () => {
    const table = scoreTableFromText(
      "old.csv",
      "parent_gen_id,template_id,evaluation_llm_model,score,error\ne1,prior-art,sonnet,8.5,\n",
    );
    expect(table.records[0]).toMatchObject({ essayGenId: "e1", evaluationTemplate: "prior-art", score: 8.5 });
  });

  it("names the missing column", () => {
    expect(() => scoreTableFromText("s.csv", "parent_gen_id,evaluation_template,evaluation_model\n")).toThrow(
      /s.csv, line 1, column "score": required column is missing/,
    );
    expect(() => scoreTableFromText("s.csv", "parent_gen_id,evaluation_template,score\n")).toThrow(
      /column "evaluation_model".*accepted names: evaluation_model, evaluation_llm_model/,
    );
  });

  it("rejects a score that is not a number, naming row and column", () => {
    expect(() => scoreTableFromText("s.csv", `${HEADER}\nv1,e1,novelty,sonnet,high,\n`)).toThrow(
      /s.csv, data row 1 \(line 2\), column "score": score "high" is not a number/,
    );
  });

  it("rejects a scored row whose essay gen_id is empty or unsafe", () => {
    expect(() => scoreTableFromText("s.csv", `${HEADER}\nv1,,novelty,sonnet,5,\n`)).toThrow(
      /column "parent_gen_id": a scored row has an empty parent_gen_id/,
    );
    expect(() => scoreTableFromText("s.csv", `${HEADER}\nv1,../x,novelty,sonnet,5,\n`)).toThrow(
      /column "parent_gen_id": essay gen_id "..\/x" contains "\.\."/,
    );
  });
});

describe("readScoreTable", () => {
  it("names the missing file and how to produce it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "score-table-"));
    try {
      const file = path.join(dir, "parsed_scores.csv");
      expect(() => readScoreTable(file)).toThrow(/parsed_scores.csv: file not found/);
      expect(() => readScoreTable(file)).toThrow(expect.objectContaining({ code: "PARSED_SCORES_MISSING" }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
