/**
 * Evaluation score parsers: read the 0-10 score out of an evaluator's response.
 * Registered by the name used in evaluation_templates.csv `parser`. Behaviour,
 * including its quirks, is the original Python parser's (see the vectors).
 */
import { ScoreParseError, UnknownParserError } from "./errors.ts";
import { pyFloat, pyFloatRepr, pyStrip } from "./python-compat.ts";
import {
  EXACT_SCORE,
  EXACT_SCORE_LINE,
  FRACTION_SCORES,
  PLAIN_SCORE,
  PLAIN_SCORES,
  THREE_DIGIT_SCORE,
} from "./score-patterns.ts";

export type EvaluationParser = (text: string) => number;

const SCORE_LINE_HINT = "the evaluation template should ask the evaluator to end with a line like `SCORE: 7`";

function fail(strategy: string, reason: string, hint = SCORE_LINE_HINT): never {
  throw new ScoreParseError(reason, { context: { parser: strategy }, hint });
}

function requireText(text: string, strategy: string): void {
  if (pyStrip(text) === "") fail(strategy, "empty or whitespace-only response");
}

function checkRange(score: number, strategy: string): number {
  if (!(score >= 0 && score <= 10))
    fail(strategy, `score ${pyFloatRepr(score)} is outside the valid range 0-10`);
  return score;
}

/** `Score: 4 5 6` -> 5.0. Throws when the separators leave other than three digits (e.g. tabs). */
function threeDigitScore(line: string): number | undefined {
  const m = THREE_DIGIT_SCORE.exec(line);
  if (!m) return undefined;
  const digits = [...m[1].replaceAll(",", "").replaceAll(" ", "")];
  if (digits.length !== 3) {
    fail("in_last_line", `expected 3 digits in score, found ${digits.length}: ${JSON.stringify(m[1])}`);
  }
  return digits.reduce((sum, d) => sum + pyFloat(d), 0) / 3;
}

function plainScore(line: string): number | undefined {
  const m = PLAIN_SCORE.exec(line);
  return m ? pyFloat(m[1]) : undefined;
}

/**
 * Looks at the last three non-empty lines, earliest first: an exact `SCORE: d` line wins;
 * otherwise the first line with a three-digit score (mean of the digits) or a plain score.
 */
export function parseInLastLine(text: string): number {
  requireText(text, "in_last_line");
  const lines = pyStrip(text)
    .split("\n")
    .map(pyStrip)
    .filter((line) => line !== "")
    .slice(-3)
    .map((line) => line.replaceAll("*", "").replaceAll("#", ""));
  for (const line of lines) {
    if (!EXACT_SCORE_LINE.test(line)) continue;
    const m = EXACT_SCORE.exec(line);
    if (m) return checkRange(pyFloat(m[1]), "in_last_line");
  }
  for (const line of lines) {
    // Python's `a or b`: a three-digit mean of 0.0 falls through to the plain reading.
    const score = threeDigitScore(line) || plainScore(line);
    if (score !== undefined) return checkRange(score, "in_last_line");
  }
  return fail("in_last_line", "no score found in the last 3 non-empty lines");
}

/**
 * Legacy templates: within the last 30 lines (markdown `**` and `#` removed), the last
 * `Score: a/b` fraction scaled to 0-10 if there is any, else the last plain `Score: x`.
 */
export function parseComplex(text: string): number {
  requireText(text, "complex");
  const lines = pyStrip(text).split("\n");
  const tail = lines.slice(-30).join("\n").replaceAll("**", "").replaceAll("#", "");
  const fraction = [...tail.matchAll(FRACTION_SCORES)].at(-1);
  if (fraction) {
    const denominator = pyFloat(fraction[2]);
    if (denominator === 0) fail("complex", `score fraction ${fraction[1]}/${fraction[2]} divides by zero`);
    return checkRange((pyFloat(fraction[1]) / denominator) * 10, "complex");
  }
  const plain = [...tail.matchAll(PLAIN_SCORES)].at(-1);
  if (!plain) return fail("complex", "no SCORE field found in the last 30 lines of the response");
  return checkRange(pyFloat(plain[1]), "complex");
}

const EVALUATION_PARSERS: ReadonlyMap<string, EvaluationParser> = new Map([
  ["complex", parseComplex],
  ["in_last_line", parseInLastLine],
]);

/** Registered evaluation parser names. */
export function evaluationParserNames(): string[] {
  return [...EVALUATION_PARSERS.keys()];
}

/** The score parser registered under `name` (surrounding whitespace ignored). */
export function getEvaluationParser(name: string): EvaluationParser {
  const key = pyStrip(name);
  const parser = EVALUATION_PARSERS.get(key);
  if (!parser) throw new UnknownParserError("evaluation", key, evaluationParserNames());
  return parser;
}

/** The 0-10 score in `text` read with `strategy`; throws ScoreParseError with the reason. */
export function parseEvaluationScore(text: string, strategy: string): number {
  return getEvaluationParser(strategy)(text);
}
