import { describe, expect, it } from "vitest";
import { GenerationError } from "./errors.ts";
import {
  nonEmptyLines,
  normalizeResponseText,
  requireMinLines,
  requireNotTruncated,
  scoreText,
} from "./rules.ts";

const where = { stage: "draft", genId: "g1", file: "data/gens/draft/g1/raw.txt" };

describe("nonEmptyLines", () => {
  it("keeps lines with text, stripped like Python's str.strip", () => {
    expect(nonEmptyLines("  a  \n\n \t\nb\n\u00a0\nc")).toEqual(["a", "b", "c"]);
  });
});

describe("requireMinLines", () => {
  it("accepts exactly the minimum and rejects one fewer, naming the count and the file", () => {
    expect(() => requireMinLines("a\nb\nc", 3, where)).not.toThrow();
    const err = (() => {
      try {
        requireMinLines("a\n\nb\n", 3, where);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(GenerationError);
    expect((err as GenerationError).code).toBe("RESPONSE_TOO_SHORT");
    expect((err as GenerationError).message).toMatch(/only 2 non-empty line\(s\), at least 3 required/);
    expect((err as GenerationError).context.file).toBe(where.file);
  });
});

describe("requireNotTruncated", () => {
  it("fails only for finish_reason length", () => {
    expect(() => requireNotTruncated("stop", where, 100)).not.toThrow();
    expect(() => requireNotTruncated(null, where, 100)).not.toThrow();
    expect(() => requireNotTruncated("length", where, 100)).toThrow(/truncated.*max_tokens 100/);
  });
});

describe("scoreText", () => {
  it("writes the score as Python's repr of a float followed by a newline", () => {
    expect(scoreText(7)).toBe("7.0\n");
    expect(scoreText(0)).toBe("0.0\n");
    expect(scoreText(10)).toBe("10.0\n");
    expect(scoreText(8.5)).toBe("8.5\n");
    expect(scoreText(20 / 3)).toBe("6.666666666666667\n");
  });
});

describe("normalizeResponseText", () => {
  it("turns CRLF into LF and leaves lone newlines alone", () => {
    expect(normalizeResponseText("a\r\nb\nc\r\n")).toBe("a\nb\nc\n");
  });
});
