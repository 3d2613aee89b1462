import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { draftParserNames, getDraftParser, parseEssayBlock, parseEssayIdeaLast } from "./draft-parsers.ts";
import { DraftParseError, UnknownParserError } from "./errors.ts";

interface DraftCase {
  parser: string;
  label: string;
  input: string;
  ok: boolean;
  output?: string;
}

const cases: DraftCase[] = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, "../../tests/fixtures/vectors/draft_parsers.json"), "utf8"),
);
const named = cases.map((c) => [`${c.parser}: ${c.label}`, c] as const);

describe("draft parsers on the original implementation's vectors", () => {
  it.each(named.filter(([, c]) => c.ok))("extracts the same text: %s", (_name, c) => {
    expect(getDraftParser(c.parser)(c.input)).toBe(c.output);
  });

  it.each(named.filter(([, c]) => !c.ok))("rejects like the original: %s", (_name, c) => {
    expect(() => getDraftParser(c.parser)(c.input)).toThrow(DraftParseError);
  });
});

describe("draft parser registry", () => {
  it("treats an empty or missing name, and `identity`, as the identity parser", () => {
    const text = "  keep <essay>as is</essay>\n";
    expect(getDraftParser("")(text)).toBe(text);
    expect(getDraftParser(undefined)(text)).toBe(text);
    expect(getDraftParser(" identity ")(text)).toBe(text);
  });

  it("finds parsers by name, ignoring surrounding whitespace", () => {
    expect(getDraftParser("essay_block ")).toBe(parseEssayBlock);
    expect(getDraftParser("essay_idea_last")).toBe(parseEssayIdeaLast);
  });

  it("fails on an unknown name listing the registered names", () => {
    expect(draftParserNames()).toEqual(["essay_block", "essay_idea_last", "identity"]);
    expect(() => getDraftParser("essay_last")).toThrow(UnknownParserError);
    expect(() => getDraftParser("essay_last")).toThrow(/registered: essay_block, essay_idea_last, identity/);
  });

  it("picks the highest stage even when it comes first, and the last block among equals", () => {
    const text =
      '<essay-idea stage="10">\nTen.\n</essay-idea>\n<essay-idea stage="9">\nNine.\n</essay-idea>\n';
    expect(parseEssayIdeaLast(text)).toBe("Ten.");
  });

  it("explains how the draft should look when no block is found", () => {
    try {
      parseEssayIdeaLast("<essay-idea>no newline</essay-idea>");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DraftParseError);
      expect((err as DraftParseError).hint).toMatch(/own lines|newline/);
    }
  });
});
