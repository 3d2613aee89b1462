import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ScoreParseError, UnknownParserError } from "./errors.ts";
import { evaluationParserNames, getEvaluationParser, parseEvaluationScore } from "./evaluation-parsers.ts";

const vectorsDir = path.join(import.meta.dirname, "../../tests/fixtures/vectors/eval_responses");

interface EvalCase {
  file: string | null;
  text?: string;
  label: string;
  strategy: string;
  ok: boolean;
  score?: number;
  error_message?: string;
}

const cases: EvalCase[] = JSON.parse(fs.readFileSync(path.join(vectorsDir, "expected.json"), "utf8"));

function responseText(c: EvalCase): string {
  return c.text ?? fs.readFileSync(path.join(vectorsDir, c.file!), "utf8");
}

function caseName(c: EvalCase, i: number): string {
  return `#${i} ${c.file ?? "inline"} [${c.label}] ${JSON.stringify(c.strategy)}`;
}

describe("parseEvaluationScore on the original implementation's vectors", () => {
  const okCases = cases.map((c, i) => [caseName(c, i), c] as const).filter(([, c]) => c.ok);
  const errorCases = cases.map((c, i) => [caseName(c, i), c] as const).filter(([, c]) => !c.ok);

  it("has both kinds of cases for both strategies", () => {
    for (const strategy of ["in_last_line", "complex"]) {
      expect(okCases.some(([, c]) => c.strategy === strategy)).toBe(true);
      expect(errorCases.some(([, c]) => c.strategy === strategy)).toBe(true);
    }
  });

  it.each(okCases)("reads exactly the original score: %s", (_name, c) => {
    expect(parseEvaluationScore(responseText(c), c.strategy)).toBe(c.score);
  });

  it.each(errorCases)("rejects like the original: %s", (_name, c) => {
    expect(() => parseEvaluationScore(responseText(c), c.strategy)).toThrow(
      c.strategy === "in_last_line" || c.strategy === "complex" ? ScoreParseError : UnknownParserError,
    );
  });
});

describe("evaluation score parsers", () => {
  it("reads `Score: 100` as the digits 1, 0, 0 and returns their mean", () => {
    expect(parseEvaluationScore("Some reasoning.\nScore: 100", "in_last_line")).toBeCloseTo(1 / 3, 12);
  });

  it("takes the first match among the last three non-empty lines", () => {
    expect(parseEvaluationScore("intro\nScore: 4\nScore: 9\n\nthanks", "in_last_line")).toBe(4);
  });

  it("prefers an exact SCORE line over an earlier plain score", () => {
    expect(parseEvaluationScore("Total Score: 8\nSCORE: 6", "in_last_line")).toBe(6);
  });

  it("prefers a fraction over a later plain score in complex mode", () => {
    expect(parseEvaluationScore("Score: 3/4\nmore\nFinal Score: 9", "complex")).toBe(7.5);
  });

  it("reads fullwidth and Arabic-Indic digits as their values", () => {
    expect(parseEvaluationScore("SCORE: ７", "complex")).toBe(7);
    expect(parseEvaluationScore("Score: ٨", "in_last_line")).toBe(8);
  });

  it("treats U+001C..U+001F as whitespace like Python", () => {
    expect(() => parseEvaluationScore("\u001c\u001f", "complex")).toThrow(/empty or whitespace-only/);
    expect(parseEvaluationScore("Score:\u001f6", "complex")).toBe(6);
  });

  it("rejects scores outside 0-10 with the score in the reason", () => {
    expect(() => parseEvaluationScore("SCORE: 11", "complex")).toThrow(
      /score 11\.0 is outside the valid range 0-10/,
    );
    expect(() => parseEvaluationScore("Score: -1", "in_last_line")).toThrow(/outside the valid range/);
  });

  it("rejects a zero denominator", () => {
    expect(() => parseEvaluationScore("Score: 5/0", "complex")).toThrow(/divides by zero/);
  });

  it("carries the parser name and a hint", () => {
    try {
      parseEvaluationScore("no number here", "in_last_line");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ScoreParseError);
      expect((err as ScoreParseError).context.parser).toBe("in_last_line");
      expect((err as ScoreParseError).hint).toMatch(/SCORE: 7/);
    }
  });

  it("fails on an unknown strategy listing the registered ones", () => {
    expect(evaluationParserNames().sort()).toEqual(["complex", "in_last_line"]);
    expect(() => getEvaluationParser("simple")).toThrow(
      /unknown evaluation parser "simple"; registered: complex, in_last_line/,
    );
    expect(() => getEvaluationParser("")).toThrow(UnknownParserError);
  });

  it("ignores whitespace around a registered name", () => {
    expect(getEvaluationParser(" complex ")("Score: 8")).toBe(8);
  });
});
