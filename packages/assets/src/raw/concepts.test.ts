import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type TempDir, tempDir } from "../../tests/helpers/raw-tree.ts";
import { readConceptDescription, resolveConceptContent } from "./concepts.ts";
import type { RawInputError } from "./errors.ts";

let tmp: TempDir;
let root: string;

function description(level: string, id: string, text: string | Buffer): void {
  const file = path.join(root, "1_raw", "concepts", `descriptions-${level}`, `${id}.txt`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

beforeEach(() => {
  tmp = tempDir("dd-concepts-");
  root = tmp.dir;
});
afterEach(() => tmp.cleanup());

describe("resolveConceptContent", () => {
  const concept = { conceptId: "x", name: "Name of X" };

  it("uses the requested level, stripped, with universal newlines", () => {
    description("sentence", "x", "  one\r\ntwo\rthree \n\n");
    description("paragraph", "x", "paragraph text");
    expect(resolveConceptContent(root, concept, "sentence")).toBe("one\ntwo\nthree");
  });

  it("falls back to paragraph, then sentence, then the name", () => {
    description("sentence", "x", "the sentence");
    expect(resolveConceptContent(root, concept, "article")).toBe("the sentence");
    description("paragraph", "x", "   \n");
    expect(resolveConceptContent(root, concept, "sentence")).toBe("the sentence");
    description("paragraph", "x", "the paragraph");
    expect(resolveConceptContent(root, concept, "article")).toBe("the paragraph");
    expect(resolveConceptContent(root, { conceptId: "y", name: "Only a name" }, "paragraph")).toBe(
      "Only a name",
    );
  });

  it("uses an article only when it is the level asked for", () => {
    description("article", "x", "the article");
    expect(resolveConceptContent(root, concept, "sentence")).toBe("Name of X");
    expect(resolveConceptContent(root, concept, "article")).toBe("the article");
  });
});

describe("readConceptDescription on bytes that are not UTF-8", () => {
  const bytes = (...parts: Array<string | number[]>) =>
    Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

  function failure(content: Buffer): RawInputError {
    description("sentence", "x", content);
    try {
      readConceptDescription(root, "x", "sentence");
    } catch (err) {
      return err as RawInputError;
    }
    throw new Error("expected the description to be refused");
  }

  it.each([
    ["a Latin-1 byte", bytes("ab\ncaf", [0xe9]), 6, 2, "E9"],
    ["an overlong encoding of '/'", bytes("a", [0xc0, 0xaf]), 1, 1, "C0"],
    ["an encoded surrogate", bytes("ok ", [0xed, 0xa0, 0x80]), 3, 1, "ED"],
    ["a code point above U+10FFFF", bytes([0xf4, 0x90, 0x80, 0x80]), 0, 1, "F4"],
    ["a sequence cut off at the end", bytes("x\r\ny\rz", [0xe2, 0x82]), 6, 3, "E2"],
    ["a stray continuation byte", bytes("é", [0x80]), 2, 1, "80"],
  ])("names the file, line and byte offset of %s", (_label, content, offset, line, hex) => {
    const err = failure(content);
    expect(err.code).toBe("RAW_FILE_NOT_UTF8");
    expect(err.context).toMatchObject({ line, byte_offset: offset });
    expect(err.message).toMatch(
      new RegExp(
        `descriptions-sentence/x\\.txt, line ${line}, byte offset ${offset}: not valid UTF-8: invalid byte sequence starting with 0x${hex}$`,
      ),
    );
  });

  it("accepts any valid UTF-8, four-byte characters included", () => {
    description("sentence", "x", "Ünïcödé 日本 😀\n");
    expect(readConceptDescription(root, "x", "sentence")).toBe("Ünïcödé 日本 😀");
  });
});
