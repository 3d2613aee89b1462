/**
 * Pathological selection strings through the public API: nesting thousands of levels deep
 * is a syntax error (not a stack overflow), and an oversized string is refused before parsing.
 */
import { describe, expect, it } from "vitest";
import { asset, defineDefinitions, parseSelection, resolveSelection, SelectionError } from "../src/index.ts";

const defs = defineDefinitions({
  assets: [asset({ key: "a", compute: () => 1 }), asset({ key: "b", deps: ["a"], compute: () => 2 })],
});

function rejection(selection: string): SelectionError {
  try {
    resolveSelection(defs, selection);
  } catch (err) {
    expect(err).toBeInstanceOf(SelectionError);
    return err as SelectionError;
  }
  throw new Error(`expected a selection of ${selection.length} characters to be rejected`);
}

describe("selection limits", () => {
  it("accepts nesting up to 100 levels of parentheses and not", () => {
    expect(resolveSelection(defs, `${"(".repeat(100)}b${")".repeat(100)}`)).toEqual(["b"]);
    expect(resolveSelection(defs, `${"not ".repeat(100)}b`)).toEqual(["b"]);
    expect(resolveSelection(defs, `${"(not ".repeat(50)}b${")".repeat(50)}`)).toEqual(["b"]);
  });

  it.each([
    ["parentheses", `${"(".repeat(4000)}a${")".repeat(4000)}`, 101],
    ["unclosed parentheses", "(".repeat(9000), 101],
    ["not", `${"not ".repeat(2000)}a`, 401],
    ["a mix", `${"not (".repeat(1500)}a${")".repeat(1500)}`, 251],
  ])(
    "refuses %s nested thousands deep as a syntax error at the first level too many",
    (_, selection, column) => {
      const err = rejection(selection);
      expect(err.code).toBe("SELECTION_SYNTAX");
      expect(err.userError).toBe(true);
      expect(err.message).toContain("nested deeper than 100 levels");
      expect(err.context.column).toBe(column);
      expect(err.hint).toContain("fewer levels");
      // the message shows the part around the error, not the whole selection
      expect(err.message.length).toBeLessThan(300);
      const [, shown, caret] = err.message.split("\n");
      expect(caret.indexOf("^")).toBeGreaterThan(2);
      expect(shown.length).toBeLessThan(100);
    },
  );

  it("refuses a selection over 10,000 characters before parsing it, whatever it holds", () => {
    for (const selection of [
      Array(6000).fill("a").join(","),
      "(".repeat(20_000),
      `a,${"x".repeat(10_000)}`,
    ]) {
      expect(() => parseSelection(selection)).toThrow(SelectionError);
      const err = rejection(selection);
      expect(err.code).toBe("SELECTION_TOO_LONG");
      expect(err.userError).toBe(true);
      expect(err.message).toBe(
        `selection is ${selection.length} characters long; at most 10000 are accepted`,
      );
      expect(err.context).toEqual({ length: selection.length, limit: 10_000 });
      expect(err.hint).toContain("group:");
    }
  });

  it("accepts a long selection within the limit", () => {
    const selection = Array(3333).fill("a").join(",");
    expect(selection.length).toBeLessThanOrEqual(10_000);
    expect(resolveSelection(defs, selection)).toEqual(["a"]);
  });
});
