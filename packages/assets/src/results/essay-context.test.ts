import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildMetadata } from "../gens/metadata.ts";
import { GensStore } from "../gens/store.ts";
import { EssayContextResolver, essayContextFromMetadata, fillBlankContext } from "./essay-context.ts";
import { EMPTY_ESSAY_CONTEXT } from "./parsed-scores.ts";

describe("essayContextFromMetadata", () => {
  it("reads the essay template and model from the essay, combo and draft template from the draft", () => {
    const essay = buildMetadata("essay", "e1", {
      parent_gen_id: "d1",
      template_id: "essay-v1",
      model_id: "gpt",
    });
    const draft = buildMetadata("draft", "d1", {
      template_id: "brainstorm",
      model_id: "gpt",
      combo_id: "combo_v1_a",
    });
    expect(essayContextFromMetadata(essay, draft)).toEqual({
      draft_gen_id: "d1",
      combo_id: "combo_v1_a",
      draft_template: "brainstorm",
      essay_template: "essay-v1",
      generation_model: "gpt",
    });
  });
});

describe("fillBlankContext", () => {
  it("fills only the empty cells", () => {
    const primary = { ...EMPTY_ESSAY_CONTEXT, essay_template: "from-task", combo_id: "" };
    const fallback = { ...EMPTY_ESSAY_CONTEXT, essay_template: "from-meta", combo_id: "combo_v1_b" };
    expect(fillBlankContext(primary, fallback)).toMatchObject({
      essay_template: "from-task",
      combo_id: "combo_v1_b",
    });
  });
});

describe("EssayContextResolver", () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "essay-context-"));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("records why an essay's context stayed empty instead of failing", async () => {
    const resolver = new EssayContextResolver(new GensStore(root), new Map());
    expect(await resolver.resolve("e404")).toEqual(EMPTY_ESSAY_CONTEXT);
    expect(resolver.warningCount).toBe(1);
    expect(resolver.warnings[0]).toBe("essay e404 has no metadata.json");
  });
});
