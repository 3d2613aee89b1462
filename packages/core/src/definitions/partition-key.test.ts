import { describe, expect, it } from "vitest";
import { PartitionError } from "../errors.ts";
import { validatePartitionKey, validatePartitionKeys } from "./partition-key.ts";

function errorFor(key: unknown, index?: number): PartitionError {
  try {
    validatePartitionKey(key, { index });
  } catch (err) {
    if (err instanceof PartitionError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(key)} to be rejected`);
}

describe("validatePartitionKey", () => {
  it.each([
    ["plain ascii", "gen_abc123"],
    ["dots that are not a pair", "v1.2.3"],
    ["spaces and punctuation", "a b-c_d=e,f+g@h"],
    ["non-Latin letters", "essai-été-日本"],
    ["an emoji (surrogate pair)", "key-😀"],
    ["exactly 255 one-byte characters", "k".repeat(255)],
    ["85 three-byte characters (255 bytes)", "日".repeat(85)],
  ])("accepts %s", (_label, key) => {
    expect(() => validatePartitionKey(key)).not.toThrow();
  });

  it.each([
    ["an empty key", "", "is empty"],
    ["a slash", "a/b", 'contains "/"'],
    ["a backslash", "a\\b", 'contains "\\"'],
    ["a dot-dot", "a..b", 'contains ".."'],
    ["a bare dot-dot", "..", 'contains ".."'],
    ["NUL", "a\u0000b", "NUL (U+0000)"],
    ["a newline", "a\nb", "control character U+000A"],
    ["a tab", "\tb", "control character U+0009"],
    ["DEL", "a\u007f", "control character U+007F"],
    ["a C1 control character", "a\u0085", "control character U+0085"],
    ["an unpaired surrogate", "a\ud800b", "unpaired surrogate"],
    ["256 one-byte characters", "k".repeat(256), "256 bytes long"],
    ["86 three-byte characters (258 bytes)", "日".repeat(86), "258 bytes long"],
    ["64 four-byte characters (256 bytes)", "😀".repeat(64), "256 bytes long"],
    ["a colon", "2024-01-01T00:00", 'contains ":" (not allowed in file names on Windows)'],
    ["an asterisk", "a*b", 'contains "*"'],
    ["a question mark", "a?", 'contains "?"'],
    ["a lone dot", ".", 'is "." (the current directory)'],
    ["only spaces", "   ", "is blank"],
    ["a leading space", " key", "has leading or trailing whitespace"],
    ["a trailing no-break space", "key\u00a0", "has leading or trailing whitespace"],
  ])("rejects %s", (_label, key, problem) => {
    const err = errorFor(key);
    expect(err.code).toBe("invalid_partition_key");
    expect(err.message).toContain(problem);
    expect(err.hint).toMatch(/255 bytes/);
  });

  it("rejects values that are not strings", () => {
    expect(errorFor(42).message).toContain("is not a string (got number)");
    expect(errorFor(null).message).toContain("got null");
  });

  it("names the JSON-quoted key and its index in the error", () => {
    const err = errorFor("draft/1", 7);
    expect(err.message).toBe('partition key "draft/1" at index 7 contains "/"');
    expect(err.context).toMatchObject({ key: '"draft/1"', index: 7 });
    expect(err.describe()).toContain("hint:");
  });

  it("names what the value is when it is an id that follows the partition-key rule", () => {
    expect(() => validatePartitionKey(" my-cohort", { what: "cohort id" })).toThrow(
      'cohort id " my-cohort" has leading or trailing whitespace',
    );
  });

  it("shortens very long keys in the message", () => {
    const err = errorFor("x".repeat(1000));
    expect(err.message).toContain("(1000 characters)");
    expect(err.message.length).toBeLessThan(200);
  });
});

describe("validatePartitionKeys", () => {
  it("returns the keys as an array when all are valid", () => {
    expect(validatePartitionKeys(new Set(["a", "b"]))).toEqual(["a", "b"]);
  });

  it("reports the first bad key with its index and the partitions name", () => {
    expect(() => validatePartitionKeys(["ok", "also-ok", "bad\\key"], "evaluation_gens")).toThrow(
      'partition key "bad\\\\key" at index 2 for partitions "evaluation_gens" contains "\\"',
    );
  });
});
