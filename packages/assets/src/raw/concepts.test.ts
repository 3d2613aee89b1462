import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type TempDir, tempDir } from "../../tests/helpers/raw-tree.ts";
import { resolveConceptContent } from "./concepts.ts";

let tmp: TempDir;
let root: string;

function description(level: string, id: string, text: string): void {
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
