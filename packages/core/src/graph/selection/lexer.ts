import { SelectionError } from "../../errors.ts";

export type TokenType =
  | "word"
  | "number"
  | "string"
  | "and"
  | "or"
  | "not"
  | "plus"
  | "star"
  | "colon"
  | "equals"
  | "comma"
  | "lparen"
  | "rparen"
  | "eof";

export interface Token {
  type: TokenType;
  /** Source text (the unescaped contents for strings). */
  text: string;
  /** Offset of the first character in the selection string. */
  start: number;
  end: number;
}

const KEYWORDS: Record<string, TokenType> = {
  and: "and",
  AND: "and",
  or: "or",
  OR: "or",
  not: "not",
  NOT: "not",
};

const PUNCTUATION: Record<string, TokenType> = {
  "+": "plus",
  "*": "star",
  ":": "colon",
  "=": "equals",
  ",": "comma",
  "(": "lparen",
  ")": "rparen",
};

const WORD_CHAR = /[A-Za-z0-9_]/;

/** Selections longer than this are shown as the part around the error, not whole. */
const SHOWN_CHARS = 100;
const SHOWN_AROUND = 40;

/** `message at column N` followed by the selection and a caret under the offending character. */
export function syntaxError(source: string, offset: number, message: string, hint: string): SelectionError {
  const column = offset + 1;
  let shown = source;
  let caretAt = offset;
  if (source.length > SHOWN_CHARS) {
    // A selection thousands of characters long would bury the message and the caret.
    const from = Math.max(0, offset - SHOWN_AROUND);
    const to = Math.min(source.length, offset + SHOWN_AROUND);
    const before = from > 0 ? "..." : "";
    shown = `${before}${source.slice(from, to)}${to < source.length ? "..." : ""}`;
    caretAt = before.length + offset - from;
  }
  return new SelectionError(
    "SELECTION_SYNTAX",
    `selection syntax error at column ${column}: ${message}\n  ${shown}\n  ${" ".repeat(caretAt)}^`,
    { context: { selection: shown, column }, hint },
  );
}

function readString(source: string, start: number): { text: string; end: number } {
  let text = "";
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '"') return { text, end: i + 1 };
    if (ch === "\\" && i + 1 < source.length) {
      text += source[i + 1];
      i += 2;
      continue;
    }
    text += ch;
    i++;
  }
  throw syntaxError(
    source,
    start,
    "unterminated string",
    'close the quoted value with " (escape a quote inside as \\")',
  );
}

/** Splits a selection string into tokens; whitespace only separates them. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '"') {
      const { text, end } = readString(source, i);
      tokens.push({ type: "string", text, start: i, end });
      i = end;
      continue;
    }
    const punctuation = PUNCTUATION[ch];
    if (punctuation) {
      tokens.push({ type: punctuation, text: ch, start: i, end: i + 1 });
      i++;
      continue;
    }
    if (WORD_CHAR.test(ch)) {
      let end = i + 1;
      while (end < source.length && WORD_CHAR.test(source[end])) end++;
      const text = source.slice(i, end);
      const type: TokenType = /^[0-9]+$/.test(text) ? "number" : (KEYWORDS[text] ?? "word");
      tokens.push({ type, text, start: i, end });
      i = end;
      continue;
    }
    throw syntaxError(
      source,
      i,
      `unexpected character ${JSON.stringify(ch)}`,
      'asset keys use letters, digits and _; quote other values, e.g. tag:"team"="data-eng"',
    );
  }
  tokens.push({ type: "eof", text: "", start: source.length, end: source.length });
  return tokens;
}
