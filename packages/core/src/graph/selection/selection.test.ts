import { describe, expect, it } from "vitest";
import { asset } from "../../definitions/asset.ts";
import { defineDefinitions } from "../../definitions/define.ts";
import type { AssetSpec } from "../../definitions/types.ts";
import { SelectionError } from "../../errors.ts";
import { parseSelection } from "./parser.ts";
import { resolveSelection } from "./resolve.ts";

const node = (key: string, spec: Partial<AssetSpec>) => asset({ key, compute: () => key, ...spec });

/*
 * raw_ideas -> concepts ----\
 *                            > draft_prompt -> draft_response -> essay_response -> scores ..> report
 * raw_templates ..> templates /                                                 (.. = dep only)
 * orphan
 */
const defs = defineDefinitions({
  assets: [
    node("raw_ideas", { group: "raw", kinds: ["csv"], tags: { tier: "bronze" } }),
    node("raw_templates", { group: "raw", kinds: ["csv"], tags: { tier: "bronze" } }),
    node("concepts", { group: "prep", ins: { raw_ideas: {} }, kinds: ["json"], tags: { tier: "silver" } }),
    node("templates", { group: "prep", deps: ["raw_templates"], kinds: ["json"] }),
    node("draft_prompt", { group: "generation", ins: { concepts: {}, templates: {} } }),
    node("draft_response", {
      group: "generation",
      ins: { prompt: { asset: "draft_prompt" } },
      kinds: ["text"],
      tags: { llm: "yes", tier: "gold" },
    }),
    node("essay_response", {
      group: "generation",
      ins: { draft_response: {} },
      kinds: ["text"],
      tags: { llm: "yes" },
    }),
    node("scores", { group: "results", ins: { essay_response: {} }, kinds: ["csv"], tags: { tier: "gold" } }),
    node("report", { group: "results", deps: ["scores"] }),
    node("orphan", { group: "misc" }),
  ],
});

const ALL = [
  "raw_ideas",
  "raw_templates",
  "concepts",
  "templates",
  "draft_prompt",
  "draft_response",
  "essay_response",
  "scores",
  "report",
  "orphan",
];
const except = (...keys: string[]) => ALL.filter((k) => !keys.includes(k));
const UPSTREAM_OF_ESSAY = ALL.slice(0, 7);

const cases: Array<[string, string[]]> = [
  // bare names and commas
  ["concepts", ["concepts"]],
  ["  concepts  ", ["concepts"]],
  ["concepts,templates", ["concepts", "templates"]],
  ["report, raw_ideas", ["raw_ideas", "report"]],
  // groups
  ["group:raw", ["raw_ideas", "raw_templates"]],
  ['group:"prep"', ["concepts", "templates"]],
  ['group:"gen*"', ["draft_prompt", "draft_response", "essay_response"]],
  ['group:"zz*"', []],
  // + layers
  ["+draft_prompt", ["concepts", "templates", "draft_prompt"]],
  ["++draft_prompt", ["raw_ideas", "raw_templates", "concepts", "templates", "draft_prompt"]],
  ["draft_prompt+", ["draft_prompt", "draft_response"]],
  ["draft_prompt++", ["draft_prompt", "draft_response", "essay_response"]],
  ["+draft_prompt+", ["concepts", "templates", "draft_prompt", "draft_response"]],
  ["2+draft_response", ["concepts", "templates", "draft_prompt", "draft_response"]],
  ["draft_prompt+2", ["draft_prompt", "draft_response", "essay_response"]],
  ["3+report", ["draft_response", "essay_response", "scores", "report"]],
  ["+++report", ["draft_response", "essay_response", "scores", "report"]],
  ["orphan+", ["orphan"]],
  // * traversal and everything
  ["*essay_response", UPSTREAM_OF_ESSAY],
  ["concepts*", ["concepts", "draft_prompt", "draft_response", "essay_response", "scores", "report"]],
  [
    "raw_ideas*",
    ["raw_ideas", "concepts", "draft_prompt", "draft_response", "essay_response", "scores", "report"],
  ],
  ["*scores*", except("orphan")],
  ["*orphan", ["orphan"]],
  ["*", ALL],
  // key attribute, quoted and unquoted, wildcards
  ['key:"concepts"', ["concepts"]],
  ["key:concepts", ["concepts"]],
  ['key:"draft_*"', ["draft_prompt", "draft_response"]],
  ["key:draft_*", ["draft_prompt", "draft_response"]],
  ['key:"*_response"', ["draft_response", "essay_response"]],
  ['key:"*a*t*"', ["raw_templates", "templates", "draft_prompt", "draft_response"]],
  ['key:"*"', ALL],
  ['key:"nothing_*"', []],
  // tags and kinds
  ['tag:"tier"="gold"', ["draft_response", "scores"]],
  ["tag:tier=bronze", ["raw_ideas", "raw_templates"]],
  ['tag:"tier"', ["raw_ideas", "raw_templates", "concepts", "draft_response", "scores"]],
  ['tag:"llm"="yes"', ["draft_response", "essay_response"]],
  ['tag:"missing"', []],
  ['tag:"tier"="platinum"', []],
  ['kind:"csv"', ["raw_ideas", "raw_templates", "scores"]],
  ["kind:text", ["draft_response", "essay_response"]],
  ['kind:"parquet"', []],
  // boolean operators and precedence
  ['group:generation and kind:"text"', ["draft_response", "essay_response"]],
  ['group:generation and not kind:"text"', ["draft_prompt"]],
  ["not group:generation", except("draft_prompt", "draft_response", "essay_response")],
  ["group:raw or group:results", ["raw_ideas", "raw_templates", "scores", "report"]],
  ['group:prep or group:raw and tag:"tier"="silver"', ["concepts", "templates"]],
  ['(group:prep or group:raw) and tag:"tier"="silver"', ["concepts"]],
  ['not group:raw and kind:"csv"', ["scores"]],
  ['not (group:raw and kind:"csv")', except("raw_ideas", "raw_templates")],
  ["not not concepts", ["concepts"]],
  ["not *", []],
  ["concepts AND kind:json", ["concepts"]],
  ["concepts OR orphan", ["concepts", "orphan"]],
  ["* and not group:generation", except("draft_prompt", "draft_response", "essay_response")],
  // traversal binds tighter than boolean operators; comma binds loosest
  ["+draft_prompt or orphan", ["concepts", "templates", "draft_prompt", "orphan"]],
  ['+draft_prompt, orphan and kind:"csv"', ["concepts", "templates", "draft_prompt"]],
  ["group:raw, concepts or orphan", ["raw_ideas", "raw_templates", "concepts", "orphan"]],
  ["kind:csv and +scores", ["scores"]],
  // traversal of parenthesised expressions
  ["+(scores or report)", ["essay_response", "scores", "report"]],
  ["(draft_prompt)+", ["draft_prompt", "draft_response"]],
  ['+(key:"draft_*")+', ["concepts", "templates", "draft_prompt", "draft_response", "essay_response"]],
  ["++(report)", ["essay_response", "scores", "report"]],
  ['(concepts, templates) and kind:"json"', ["concepts", "templates"]],
  ['key:"draft_*"*', ["draft_prompt", "draft_response", "essay_response", "scores", "report"]],
];

describe("resolveSelection", () => {
  it("has a table of at least 40 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)("%s", (selection, expected) => {
    expect(resolveSelection(defs, selection)).toEqual(ALL.filter((k) => expected.includes(k)));
  });

  it("returns keys in topological order, not in the order they were named", () => {
    expect(resolveSelection(defs, "report, essay_response, raw_ideas")).toEqual([
      "raw_ideas",
      "essay_response",
      "report",
    ]);
  });
});

function selectionError(selection: string): SelectionError {
  try {
    resolveSelection(defs, selection);
  } catch (err) {
    expect(err).toBeInstanceOf(SelectionError);
    return err as SelectionError;
  }
  throw new Error(`expected "${selection}" to be rejected`);
}

describe("selection errors", () => {
  it("points at the column of a syntax error with a caret line", () => {
    const err = selectionError("concepts and ");
    expect(err.code).toBe("SELECTION_SYNTAX");
    expect(err.context.column).toBe(14);
    expect(err.message).toContain("at column 14");
    expect(err.message).toContain("\n  concepts and \n               ^");
    expect(err.hint).toBeTruthy();
  });

  it.each([
    ["concepts & templates", 10, "unexpected character"],
    ["concepts)", 9, "unexpected ')'"],
    ["(concepts", 10, "expected ')'"],
    ["key:", 5, "expected a value"],
    ['owner:"me"', 1, 'unknown attribute "owner"'],
    ["group:raw=x", 10, "only tag: takes"],
    ['key:"draft', 5, "unterminated string"],
    ["2 concepts", 1, "must be followed by '+'"],
    ['"concepts"', 1, "needs an attribute"],
    ["concepts,", 10, "expected an asset key"],
    ["concepts orphan", 10, "unexpected 'orphan'"],
  ])("rejects %j at column %i", (selection, column, message) => {
    const err = selectionError(selection);
    expect(err.code).toBe("SELECTION_SYNTAX");
    expect(err.context.column).toBe(column);
    expect(err.message).toContain(message);
    expect(err.message.split("\n").at(-1)).toBe(`  ${" ".repeat(column - 1)}^`);
  });

  it("suggests the closest keys for an unknown asset key", () => {
    const err = selectionError("+draft_respons");
    expect(err.code).toBe("SELECTION_UNKNOWN_KEY");
    expect(err.message).toContain('unknown asset key "draft_respons"');
    expect(err.message).toContain('did you mean "draft_response"');
    const suggestions = String(err.context.suggestions).split(", ");
    expect(suggestions[0]).toBe("draft_response");
    expect(suggestions).toContain("essay_response");
    expect(suggestions.length).toBeLessThanOrEqual(3);
    expect(err.hint).toContain("assets list");
  });

  it("lists at most three suggestions", () => {
    const err = selectionError('key:"raw"');
    expect(err.context.suggestions?.toString().split(", ").length).toBeLessThanOrEqual(3);
    expect(err.context.suggestions).toContain("raw_ideas");
  });

  it("suggests the closest group for an unknown group", () => {
    const err = selectionError("group:generaton");
    expect(err.code).toBe("SELECTION_UNKNOWN_GROUP");
    expect(err.message).toContain('unknown group "generaton"');
    expect(err.message).toContain('did you mean "generation"');
  });

  it("reports an unknown name without suggestions when nothing is close", () => {
    const err = selectionError("qqqqqqqqqq");
    expect(err.message).not.toContain("did you mean");
    expect(err.context.suggestions).toBe("");
  });

  it("rejects an empty or blank selection", () => {
    expect(selectionError("").code).toBe("SELECTION_EMPTY");
    expect(selectionError("   ").code).toBe("SELECTION_EMPTY");
  });
});

describe("parseSelection", () => {
  it("builds a tree with or < and < not < traversal precedence", () => {
    const ast = parseSelection("a or b and not +c, d*");
    expect(ast).toMatchObject({
      type: "or",
      operands: [
        {
          type: "or",
          operands: [
            { type: "name", name: "a" },
            {
              type: "and",
              operands: [
                { type: "name", name: "b" },
                {
                  type: "not",
                  operand: { type: "traverse", upstream: 1, downstream: 0, operand: { name: "c" } },
                },
              ],
            },
          ],
        },
        { type: "traverse", upstream: 0, downstream: Number.POSITIVE_INFINITY, operand: { name: "d" } },
      ],
    });
  });

  it("parses attribute values, tag values and depth digits", () => {
    expect(parseSelection('tag:"team"="data eng"')).toMatchObject({
      type: "attribute",
      attribute: "tag",
      value: "team",
      tagValue: "data eng",
    });
    expect(parseSelection('key:"a\\"b"')).toMatchObject({ attribute: "key", value: 'a"b' });
    expect(parseSelection("2+x+3")).toMatchObject({ type: "traverse", upstream: 2, downstream: 3 });
    expect(parseSelection("*")).toMatchObject({ type: "all" });
  });
});
