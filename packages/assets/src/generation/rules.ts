/**
 * The stage rules a response must pass before parsed.txt is written, and the exact text
 * parsed.txt gets for a score. Pure functions, shared by the three response assets.
 */
import { pyFloatRepr, pyStrip } from "../parsing/python-compat.ts";
import { GenerationError } from "./errors.ts";

/** A draft (and the parent draft of an `llm` essay) needs at least this many non-empty lines. */
export const MIN_DRAFT_LINES = 3;

/** The prompt an essay with generator `copy` records: no template is rendered. */
export const COPY_MODE_PROMPT = "COPY_MODE: no prompt needed";

/** Lines with something besides whitespace, stripped (Python's `line.strip()`). */
export function nonEmptyLines(text: string): string[] {
  return text
    .split("\n")
    .map(pyStrip)
    .filter((line) => line !== "");
}

/** Providers may answer with CRLF; the gens store keeps `\n` like the original pipeline. */
export function normalizeResponseText(text: string): string {
  return text.replace(/\r\n/g, "\n");
}

export interface RuleContext {
  stage: string;
  genId: string;
  file: string;
}

/** Fails when `text` has fewer than `min` non-empty lines; `what`/`hint` describe text other than the response. */
export function requireMinLines(
  text: string,
  min: number,
  where: RuleContext,
  what = "response",
  hint = `read ${where.file}; re-materialize the partition to ask the model again, or use a template/model that writes longer answers`,
): void {
  const count = nonEmptyLines(text).length;
  if (count >= min) return;
  throw new GenerationError(
    "RESPONSE_TOO_SHORT",
    `${where.stage} ${where.genId}: the ${what} has only ${count} non-empty line(s), at least ${min} required`,
    {
      context: { stage: where.stage, gen_id: where.genId, file: where.file, lines: count, min_lines: min },
      hint,
    },
  );
}

/** Fails when the provider says the answer was cut at max_tokens. */
export function requireNotTruncated(
  finishReason: string | null,
  where: RuleContext,
  maxTokens: number,
): void {
  if (finishReason !== "length") return;
  throw new GenerationError(
    "RESPONSE_TRUNCATED",
    `${where.stage} ${where.genId}: the response was truncated (finish_reason "length" at max_tokens ${maxTokens})`,
    {
      context: { stage: where.stage, gen_id: where.genId, file: where.file, max_tokens: maxTokens },
      hint: "raise DD_LLM_MAX_TOKENS (or ask the template for a shorter answer), then re-materialize the partition",
    },
  );
}

/** parsed.txt of an evaluation: the score as Python's repr of a float, then a newline (`7.0\n`). */
export function scoreText(score: number): string {
  return `${pyFloatRepr(score)}\n`;
}
