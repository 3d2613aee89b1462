/**
 * Prompts must match the original pipeline byte for byte: concepts in combo row order with the
 * level fallbacks, inserted text never rendered again, Jinja2's trailing-newline rule, and the
 * essay/evaluation variables. Expected texts were checked against Jinja2 3.1.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readSimpleCsv, type TempProject, tempProject } from "./helpers/data-root.ts";
import { buildCohort, type Pipeline, pipeline, ScriptedLlm } from "./helpers/in-process.ts";

const IDEA_STAGES_COMBO_A = `You are exploring how a few concepts might combine into one new idea.

Concepts:

1. Paper compass
Paper compass

2. Tidal memory
Some memories come back on their own schedule.
They recede, then return {{ carrying }} whatever the last wave left behind.

3. Mycelial ledger
A record kept by fungus threads that link trees.

Think in stages. Write each stage's best idea inside a block like:
<essay-idea stage="N">
...
</essay-idea>`;

const LOOSE_NOTES_COMBO_A =
  "Jot down loose notes connecting: Paper compass, Tidal memory, Mycelial ledger.\nUse at least three lines.\n";

const IDEA_STAGES_COMBO_C = `You are exploring how a few concepts might combine into one new idea.

Concepts:

1. Slow archive
An archive that only accepts one item per year.

2. Paper compass
A long piece about a compass folded from paper.

It points wherever it was last creased.

Think in stages. Write each stage's best idea inside a block like:
<essay-idea stage="N">
...
</essay-idea>`;

const LOOSE_NOTES_COMBO_B =
  "Jot down loose notes connecting: Slow archive, Tidal memory.\nUse at least three lines.\n";

// A draft whose stage-2 idea block has surrounding spaces, a blank line and a literal `{{ x }}`.
const DRAFT_RESPONSE = [
  "Warm-up notes.",
  '<essay-idea stage="1">',
  "first try",
  "</essay-idea>",
  '<essay-idea stage="2">',
  "  Line one {{ x }}",
  "Line two",
  "",
  "Line three",
  "</essay-idea>",
].join("\n");

const ESSAY_PROMPT = `Turn the draft below into a short essay.

Draft (3 lines):
  Line one {{ x }}
Line two

Line three

Key lines:
- Line one {{ x }}
- Line two
- Line three

Legacy block:
  Line one {{ x }}
Line two

Line three
Write the essay inside <essay> tags.`;

const ESSAY_RESPONSE = "<essay>An essay about {{ tides }}.</essay>\nSCORE: 3";

const EVALUATION_PROMPT = `Rate how novel this essay is, from 0 to 10.

ESSAY:
<essay>An essay about {{ tides }}.</essay>
SCORE: 3

End with a line "SCORE: X".`;

let project: TempProject;
let p: Pipeline;

function taskRows(table: string): Array<Record<string, string>> {
  return readSimpleCsv(path.join(project.dataRoot, "2_tasks", `${table}.csv`));
}

function prompt(stage: string, genId: string): string {
  return fs.readFileSync(path.join(project.dataRoot, "gens", stage, genId, "prompt.txt"), "utf8");
}

function draftId(comboId: string, template: string): string {
  const row = taskRows("draft_generation_tasks").find(
    (r) => r.combo_id === comboId && r.draft_template === template,
  );
  if (!row) throw new Error(`no draft task for ${comboId} ${template}`);
  return row.gen_id;
}

beforeEach(() => {
  project = tempProject("gen-prompts-");
});

afterEach(() => {
  p.close();
  project.cleanup();
});

describe("draft prompts", () => {
  it("render concepts in combo row order with the paragraph -> sentence -> name fallbacks", async () => {
    p = pipeline(project.dataRoot, project.home);
    await buildCohort(p);
    const s = await p.run("draft_prompt", "all");
    expect(s.status).toBe("succeeded");
    expect(prompt("draft", draftId("combo_v1_a67c7a306d8a", "idea-stages"))).toBe(IDEA_STAGES_COMBO_A);
    expect(prompt("draft", draftId("combo_v1_a67c7a306d8a", "loose-notes"))).toBe(LOOSE_NOTES_COMBO_A);
  });

  it("use the article only when the combo asks for it, and sentences at sentence level", async () => {
    const mappings = fs.readFileSync(path.join(project.dataRoot, "combo_mappings.csv"), "utf8").split("\n");
    const selected = [mappings[0], ...mappings.filter((l) => /combo_v1_(35826029f984|cb5bb1643d8e)/.test(l))];
    fs.writeFileSync(
      path.join(project.dataRoot, "2_tasks", "selected_combo_mappings.csv"),
      `${selected.join("\n")}\n`,
    );
    p = pipeline(project.dataRoot, project.home);
    await buildCohort(p);
    expect((await p.run("draft_prompt", "all")).status).toBe("succeeded");
    expect(prompt("draft", draftId("combo_v1_cb5bb1643d8e", "idea-stages"))).toBe(IDEA_STAGES_COMBO_C);
    expect(prompt("draft", draftId("combo_v1_35826029f984", "loose-notes"))).toBe(LOOSE_NOTES_COMBO_B);
  });
});

describe("essay and evaluation prompts", () => {
  it("give the essay template draft_block, links_block and the stripped non-empty draft_lines", async () => {
    const llm = new ScriptedLlm((req) => ({
      text: req.prompt?.startsWith("Turn the draft") ? ESSAY_RESPONSE : DRAFT_RESPONSE,
    }));
    p = pipeline(project.dataRoot, project.home, llm);
    await buildCohort(p);
    expect((await p.run("draft_prompt,draft_response", "all")).status).toBe("succeeded");
    expect((await p.run("essay_prompt,essay_response", "all")).status).toBe("succeeded");
    const ideaDraft = draftId("combo_v1_a67c7a306d8a", "idea-stages");
    const essays = taskRows("essay_generation_tasks").filter((r) => r.parent_gen_id === ideaDraft);
    const llmEssay = essays.find((r) => r.essay_template === "short-essay")!;
    const copyEssay = essays.find((r) => r.essay_template === "draft-as-essay")!;
    expect(prompt("essay", llmEssay.gen_id)).toBe(ESSAY_PROMPT);
    expect(prompt("essay", copyEssay.gen_id)).toBe("COPY_MODE: no prompt needed");
    // The LLM received exactly the stored prompt.
    expect(llm.calls.some((c) => c.prompt === ESSAY_PROMPT)).toBe(true);

    expect((await p.run("evaluation_prompt", "all")).status).toBe("succeeded");
    const evaluation = taskRows("evaluation_tasks").find(
      (r) => r.parent_gen_id === llmEssay.gen_id && r.evaluation_template === "novelty-score",
    )!;
    expect(prompt("evaluation", evaluation.gen_id)).toBe(EVALUATION_PROMPT);
  });
});
