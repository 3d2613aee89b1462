/**
 * The variables each stage's template is rendered with (see existing-system.md,
 * "Templates"). Values are inserted as they are: nunjucks never renders them again.
 */
import type { ContentCombination } from "../tasks/content-combinations.ts";
import { nonEmptyLines } from "./rules.ts";

export interface DraftPromptVars {
  /** In the combo's row order, content already resolved with the level fallbacks. */
  concepts: Array<{ name: string; content: string }>;
}

export interface EssayPromptVars {
  draft_block: string;
  /** Legacy alias of draft_block kept for older templates. */
  links_block: string;
  draft_lines: string[];
}

export interface EvaluationPromptVars {
  response: string;
}

export function draftPromptVars(combo: Pick<ContentCombination, "concepts">): DraftPromptVars {
  return { concepts: combo.concepts.map((c) => ({ name: c.name, content: c.content })) };
}

export function essayPromptVars(draftText: string): EssayPromptVars {
  return { draft_block: draftText, links_block: draftText, draft_lines: nonEmptyLines(draftText) };
}

export function evaluationPromptVars(essayText: string): EvaluationPromptVars {
  return { response: essayText };
}
