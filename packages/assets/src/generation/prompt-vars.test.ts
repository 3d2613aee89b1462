import { describe, expect, it } from "vitest";
import { draftPromptVars, essayPromptVars, evaluationPromptVars } from "./prompt-vars.ts";

describe("prompt variables", () => {
  it("give drafts the concepts' name and content in the combo's order", () => {
    const combo = {
      concepts: [
        { conceptId: "b", name: "Bee", content: "about b" },
        { conceptId: "a", name: "Ay", content: "about a" },
      ],
    };
    expect(draftPromptVars(combo)).toEqual({
      concepts: [
        { name: "Bee", content: "about b" },
        { name: "Ay", content: "about a" },
      ],
    });
  });

  it("give essays the draft twice (draft_block, links_block) and its stripped non-empty lines", () => {
    const draft = " first \n\n  second\n\t\nthird";
    expect(essayPromptVars(draft)).toEqual({
      draft_block: draft,
      links_block: draft,
      draft_lines: ["first", "second", "third"],
    });
  });

  it("give evaluations the essay as `response`", () => {
    expect(evaluationPromptVars("essay {{ text }}")).toEqual({ response: "essay {{ text }}" });
  });
});
