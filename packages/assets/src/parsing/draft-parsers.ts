/**
 * Draft parsers: turn a draft's raw LLM response into the text the essay stage
 * reads (parsed.txt). Registered by the name used in draft_templates.csv `parser`.
 * Regexes mirror the original Python ones, with Python's whitespace and digits.
 */
import { DraftParseError, UnknownParserError } from "./errors.ts";
import { decimalDigitsToAscii, PY_DIGIT, PY_WHITESPACE_CLASS, pyStrip } from "./python-compat.ts";

export type DraftParser = (text: string) => string;

const IDEA_BLOCK = new RegExp(
  `<essay-idea(?:[${PY_WHITESPACE_CLASS}]+[^>]*)?>\\n([\\s\\S]*?)\\n</essay-idea>`,
  "gu",
);
const IDEA_STAGE = new RegExp(`<essay-idea[^>]*stage="(${PY_DIGIT}+)"`, "u");
const ESSAY_BLOCK = /<essay>([\s\S]*?)<\/essay>/;
const ESSAY_OPEN = "<essay>";

/**
 * Last `<essay-idea>` block (tags on their own lines), or the last of those with the
 * highest `stage="N"`. As in the original, the stage is read from the first tag on the
 * line where the block's opening tag sits, so a staged tag earlier on that line wins.
 */
export function parseEssayIdeaLast(text: string): string {
  const blocks: { stage: bigint | undefined; body: string }[] = [];
  for (const m of text.matchAll(IDEA_BLOCK)) {
    const lineStart = text.lastIndexOf("\n", m.index - 1) + 1;
    const stage = IDEA_STAGE.exec(text.slice(lineStart, m.index + m[0].length));
    blocks.push({ stage: stage ? BigInt(decimalDigitsToAscii(stage[1])) : undefined, body: m[1] });
  }
  if (blocks.length === 0) {
    throw new DraftParseError("no <essay-idea> block found in the draft", {
      context: { parser: "essay_idea_last" },
      hint: 'the template must ask for blocks written as <essay-idea stage="N">, a newline, the idea, a newline, </essay-idea>',
    });
  }
  let best: { stage: bigint; body: string } | undefined;
  for (const b of blocks) {
    if (b.stage !== undefined && (best === undefined || b.stage >= best.stage)) {
      best = { stage: b.stage, body: b.body };
    }
  }
  return best ? best.body : blocks[blocks.length - 1].body;
}

/** First `<essay>...</essay>` block, trimmed; an unclosed `<essay>` runs to the end of the text. */
export function parseEssayBlock(text: string): string {
  const m = ESSAY_BLOCK.exec(text);
  if (m) return pyStrip(m[1]);
  const start = text.indexOf(ESSAY_OPEN);
  if (start !== -1) return pyStrip(text.slice(start + ESSAY_OPEN.length));
  throw new DraftParseError("no <essay> block found in the draft", {
    context: { parser: "essay_block" },
    hint: "the template must ask for the essay inside <essay>...</essay> (lowercase, no attributes)",
  });
}

/** The draft used as is (templates without a parser). */
export function identityParser(text: string): string {
  return text;
}

const DRAFT_PARSERS: ReadonlyMap<string, DraftParser> = new Map([
  ["essay_block", parseEssayBlock],
  ["essay_idea_last", parseEssayIdeaLast],
  ["identity", identityParser],
]);

/** Registered draft parser names; an empty name also means identity. */
export function draftParserNames(): string[] {
  return [...DRAFT_PARSERS.keys()];
}

/** The parser registered under `name` (surrounding whitespace ignored; empty = identity). */
export function getDraftParser(name: string | null | undefined): DraftParser {
  const key = pyStrip(name ?? "");
  const parser = DRAFT_PARSERS.get(key === "" ? "identity" : key);
  if (!parser) throw new UnknownParserError("draft", key, draftParserNames());
  return parser;
}
