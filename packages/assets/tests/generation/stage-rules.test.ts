/**
 * The stage rules of the response assets, run in process with a scripted LLM: raw.txt and
 * metadata.json first, then min lines / truncation / parser checks, parsed.txt last.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LlmError } from "../../src/llm/errors.ts";
import { readSimpleCsv, type TempProject, tempProject } from "./helpers/data-root.ts";
import { type Answer, buildCohort, type Pipeline, pipeline, ScriptedLlm } from "./helpers/in-process.ts";

const GOOD_DRAFT = [
  "Notes before the idea.",
  '<essay-idea stage="1">',
  "an early idea",
  "</essay-idea>",
  '<essay-idea stage="3">',
  "The chosen idea, line one.",
  "Line two.",
  "Line three.",
  "</essay-idea>",
].join("\n");

let project: TempProject;
let p: Pipeline;

function rows(table: string): Array<Record<string, string>> {
  return readSimpleCsv(path.join(project.dataRoot, "2_tasks", `${table}.csv`));
}
function genDir(stage: string, genId: string): string {
  return path.join(project.dataRoot, "gens", stage, genId);
}
function read(stage: string, genId: string, file: string): string {
  return fs.readFileSync(path.join(genDir(stage, genId), file), "utf8");
}
function has(stage: string, genId: string, file: string): boolean {
  return fs.existsSync(path.join(genDir(stage, genId), file));
}
function draftOf(template: string): string {
  return rows("draft_generation_tasks").find((r) => r.draft_template === template)!.gen_id;
}

async function setup(answer: (prompt: string, call: number) => Answer): Promise<ScriptedLlm> {
  const llm = new ScriptedLlm((req, call) => answer(req.prompt ?? "", call));
  p = pipeline(project.dataRoot, project.home, llm);
  await buildCohort(p);
  return llm;
}

beforeEach(() => {
  project = tempProject("gen-rules-");
});
afterEach(() => {
  p.close();
  project.cleanup();
});

describe("draft_response", () => {
  it("parses with the template's parser: the highest-stage idea block, or the whole text without a parser", async () => {
    await setup(() => ({ text: `${GOOD_DRAFT}\r\n` }));
    const s = await p.run("draft_prompt,draft_response", "all");
    expect(s.status).toBe("succeeded");
    const idea = draftOf("idea-stages");
    expect(read("draft", idea, "parsed.txt")).toBe("The chosen idea, line one.\nLine two.\nLine three.");
    expect(read("draft", idea, "raw.txt")).toBe(`${GOOD_DRAFT}\n`);
    expect(read("draft", draftOf("loose-notes"), "parsed.txt")).toBe(`${GOOD_DRAFT}\n`);
  });

  it("fails a response with fewer than 3 non-empty lines after saving raw.txt and metadata.json, and writes no parsed.txt", async () => {
    await setup(() => ({ text: "only one line\n\n   \nand a second" }));
    const s = await p.run("draft_prompt,draft_response", "all");
    expect(s.failed).toBe(2);
    expect(s.failures[0].error).toMatch(/only 2 non-empty line\(s\), at least 3 required/);
    const id = draftOf("idea-stages");
    expect(read("draft", id, "raw.txt")).toBe("only one line\n\n   \nand a second");
    expect(JSON.parse(read("draft", id, "metadata.json")).gen_id).toBe(id);
    expect(has("draft", id, "parsed.txt")).toBe(false);
  });

  it("fails a truncated response (finish_reason length) after saving raw.txt", async () => {
    await setup(() => ({ text: GOOD_DRAFT, finishReason: "length" }));
    const s = await p.run("draft_prompt,draft_response", "all");
    expect(s.failed).toBe(2);
    expect(s.failures[0].error).toMatch(/truncated \(finish_reason "length"/);
    const id = draftOf("idea-stages");
    expect(read("draft", id, "raw.txt")).toBe(GOOD_DRAFT);
    expect(JSON.parse(read("draft", id, "metadata.json"))).toMatchObject({
      finish_reason: "length",
      truncated: true,
    });
    expect(has("draft", id, "parsed.txt")).toBe(false);
  });

  it("removes the parsed.txt of an earlier generation when a new response fails its checks", async () => {
    const llm = await setup((_, call) => (call <= 2 ? { text: GOOD_DRAFT } : { text: "too\nshort" }));
    expect((await p.run("draft_prompt,draft_response", "all")).status).toBe("succeeded");
    const id = draftOf("idea-stages");
    expect(has("draft", id, "parsed.txt")).toBe(true);
    const again = await p.run("draft_response", { keys: [id] });
    expect(again.status).toBe("failed");
    expect(llm.calls).toHaveLength(3);
    expect(read("draft", id, "raw.txt")).toBe("too\nshort");
    expect(has("draft", id, "parsed.txt")).toBe(false);
  });

  it("writes the existing metadata.json keys first and reports model, tokens and paths as materialization metadata", async () => {
    await setup(() => ({ text: GOOD_DRAFT }));
    const events: Array<Record<string, unknown>> = [];
    const { materialize } = await import("@daydream/core");
    await materialize(p.defs, {
      instance: p.instance,
      selection: "draft_prompt,draft_response",
      partitions: "all",
      logLevel: "silent",
      onProgress: (e) => {
        if (e.type === "step_success" && e.assetKey === "draft_response") events.push(e.metadata);
      },
    });
    const id = draftOf("idea-stages");
    const task = rows("draft_generation_tasks").find((r) => r.gen_id === id)!;
    const meta = JSON.parse(read("draft", id, "metadata.json"));
    expect(Object.keys(meta).slice(0, 10)).toEqual([
      "stage",
      "gen_id",
      "parent_gen_id",
      "template_id",
      "model_id",
      "task_id",
      "function",
      "run_id",
      "cohort_id",
      "combo_id",
    ]);
    expect(meta).toMatchObject({
      stage: "draft",
      gen_id: id,
      parent_gen_id: "",
      template_id: "idea-stages",
      model_id: "gen-small",
      task_id: task.draft_task_id,
      function: "draft_response",
      cohort_id: task.cohort_id,
      combo_id: "combo_v1_a67c7a306d8a",
      model_name: "offline/gen-small",
      parser_name: "essay_idea_last",
      usage: { prompt_tokens: 11, completion_tokens: 22, total_tokens: 33 },
    });
    expect(meta.offline).toBeUndefined();
    const md = events.find((m) => m.template === "idea-stages")!;
    expect(md).toMatchObject({
      model: "offline/gen-small",
      model_id: "gen-small",
      parser: "essay_idea_last",
      chars: GOOD_DRAFT.length,
      lines: 9,
      finish_reason: "stop",
      prompt_tokens: 11,
      completion_tokens: 22,
      total_tokens: 33,
      cohort_id: task.cohort_id,
    });
    expect(md.gen_dir).toContain(path.join("gens", "draft", id));
    expect(typeof md.duration_ms).toBe("number");
  });

  it("reads its prompt back from prompt.txt when the prompt was materialized in an earlier run", async () => {
    const llm = await setup(() => ({ text: GOOD_DRAFT }));
    expect((await p.run("draft_prompt", "all")).status).toBe("succeeded");
    const id = draftOf("loose-notes");
    fs.writeFileSync(path.join(genDir("draft", id), "prompt.txt"), "an edited prompt\n");
    expect((await p.run("draft_response", { keys: [id] })).status).toBe("succeeded");
    expect(llm.calls.map((c) => c.prompt)).toEqual(["an edited prompt\n"]);
  });

  it("builds the missing prompt.txt first when one partition's response is asked for", async () => {
    const llm = await setup(() => ({ text: GOOD_DRAFT }));
    const id = draftOf("loose-notes");
    const s = await p.run("draft_response", { keys: [id] });
    expect(s.status).toBe("succeeded");
    expect(s.totalSteps).toBe(2);
    expect(has("draft", id, "prompt.txt")).toBe(true);
    expect(llm.calls.map((c) => c.prompt)).toEqual([read("draft", id, "prompt.txt")]);
  });

  it("skips under `missing` a partition whose parsed.txt exists, whoever wrote it", async () => {
    const llm = await setup(() => ({ text: GOOD_DRAFT }));
    const done = draftOf("idea-stages");
    fs.mkdirSync(genDir("draft", done), { recursive: true });
    fs.writeFileSync(path.join(genDir("draft", done), "parsed.txt"), "written by another pipeline\n");
    const s = await p.run("draft_prompt,draft_response", "missing");
    expect(s.status).toBe("succeeded");
    expect(s.totalSteps).toBe(2);
    expect(llm.calls).toHaveLength(1);
    expect(read("draft", done, "parsed.txt")).toBe("written by another pipeline\n");
    expect(has("draft", done, "prompt.txt")).toBe(false);
  });

  it("retries a transient LLM failure with the step's retry policy", async () => {
    const transient = new LlmError("LLM_RATE_LIMITED", "rate limited", {
      model: "m",
      status: 429,
      attempt: 5,
      retryable: true,
      hint: "wait",
    });
    const llm = await setup((_, call) => (call === 1 ? transient : { text: GOOD_DRAFT }));
    const s = await p.run("draft_prompt,draft_response", { keys: [draftOf("loose-notes")] });
    expect(s.status).toBe("succeeded");
    expect(llm.calls).toHaveLength(2);
  });

  it("fails at once on a permanent LLM error, leaving no raw.txt", async () => {
    const permanent = new LlmError("LLM_AUTH", "bad key", {
      model: "m",
      status: 401,
      attempt: 1,
      retryable: false,
      hint: "fix the key",
    });
    const llm = await setup(() => permanent);
    const id = draftOf("loose-notes");
    const s = await p.run("draft_prompt,draft_response", { keys: [id] });
    expect(s.status).toBe("failed");
    expect(llm.calls).toHaveLength(1);
    expect(has("draft", id, "raw.txt")).toBe(false);
  });
});

describe("essay_response", () => {
  it("copies the parent draft for generator copy, without an LLM call", async () => {
    const llm = await setup((prompt) => ({
      text: prompt.startsWith("Turn the draft") ? "An essay.\nSecond line." : GOOD_DRAFT,
    }));
    expect((await p.run("draft_prompt,draft_response", "all")).status).toBe("succeeded");
    const callsAfterDrafts = llm.calls.length;
    const copies = rows("essay_generation_tasks").filter((r) => r.essay_template === "draft-as-essay");
    const s = await p.run("essay_prompt,essay_response", { keys: copies.map((r) => r.gen_id) });
    expect(s.status).toBe("succeeded");
    expect(llm.calls).toHaveLength(callsAfterDrafts);
    for (const essay of copies) {
      expect(read("essay", essay.gen_id, "parsed.txt")).toBe(
        read("draft", essay.parent_gen_id, "parsed.txt"),
      );
      expect(read("essay", essay.gen_id, "prompt.txt")).toBe("COPY_MODE: no prompt needed");
      expect(JSON.parse(read("essay", essay.gen_id, "metadata.json"))).toMatchObject({
        stage: "essay",
        mode: "copy",
        parent_gen_id: essay.parent_gen_id,
        essay_template: "draft-as-essay",
      });
    }
  });

  it("refuses an llm essay whose parent draft has fewer than 3 non-empty lines", async () => {
    await setup(() => ({ text: "An essay." }));
    const essay = rows("essay_generation_tasks").find((r) => r.essay_template === "short-essay")!;
    fs.mkdirSync(genDir("draft", essay.parent_gen_id), { recursive: true });
    fs.writeFileSync(path.join(genDir("draft", essay.parent_gen_id), "parsed.txt"), "one\n\ntwo\n");
    const s = await p.run("essay_prompt", { keys: [essay.gen_id] });
    expect(s.status).toBe("failed");
    expect(s.failures[0].error).toMatch(
      /parent draft .* has only 2 non-empty line\(s\), at least 3 required/,
    );
    expect(has("essay", essay.gen_id, "prompt.txt")).toBe(false);
  });
});

describe("evaluation_response", () => {
  async function evaluate(
    answer: string,
  ): Promise<{ ids: Record<string, string>; summary: Awaited<ReturnType<Pipeline["run"]>> }> {
    await setup((prompt) => {
      if (prompt.startsWith("Rate how novel") || prompt.startsWith("Use the rubric")) return { text: answer };
      return { text: GOOD_DRAFT };
    });
    for (const selection of [
      "draft_prompt,draft_response",
      "essay_prompt,essay_response",
      "evaluation_prompt",
    ]) {
      expect((await p.run(selection, "all")).status).toBe("succeeded");
    }
    const essay = rows("essay_generation_tasks")[0].gen_id;
    const evals = rows("evaluation_tasks").filter((r) => r.parent_gen_id === essay);
    const ids = Object.fromEntries(evals.map((r) => [r.evaluation_template, r.gen_id]));
    const summary = await p.run("evaluation_response", { keys: Object.values(ids) });
    return { ids, summary };
  }

  it("writes the score as Python's float repr and a newline, with each template's parser", async () => {
    const { ids, summary } = await evaluate("Reasons.\nFinal Score: 17/20\nSCORE: 7");
    expect(summary.status).toBe("succeeded");
    // in_last_line: the exact SCORE line; complex: the last fraction, scaled to 0-10.
    expect(read("evaluation", ids["novelty-score"], "parsed.txt")).toBe("7.0\n");
    expect(read("evaluation", ids["rubric-legacy"], "parsed.txt")).toBe("8.5\n");
    const meta = JSON.parse(read("evaluation", ids["novelty-score"], "metadata.json"));
    expect(meta).toMatchObject({
      stage: "evaluation",
      evaluation_template: "novelty-score",
      parser_name: "in_last_line",
    });
  });

  it("fails with the parser's reason and writes no parsed.txt when no score can be read", async () => {
    const { ids, summary } = await evaluate("A thoughtful review\nwith no number at all\nthe end");
    expect(summary.failed).toBe(2);
    const reasons = summary.failures.map((f) => f.error).join("\n");
    expect(reasons).toMatch(/no score found in the last 3 non-empty lines/);
    expect(reasons).toMatch(/no SCORE field found in the last 30 lines/);
    for (const id of Object.values(ids)) {
      expect(has("evaluation", id, "raw.txt")).toBe(true);
      expect(has("evaluation", id, "parsed.txt")).toBe(false);
    }
  });
});

describe("offline client", () => {
  it("labels every generation it wrote as offline in metadata.json", async () => {
    p = pipeline(project.dataRoot, project.home);
    await buildCohort(p);
    expect((await p.run("draft_prompt,draft_response", "all")).status).toBe("succeeded");
    for (const r of rows("draft_generation_tasks")) {
      expect(JSON.parse(read("draft", r.gen_id, "metadata.json"))).toMatchObject({
        offline: true,
        llm_provider: "offline",
      });
    }
  });
});
