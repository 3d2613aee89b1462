import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GensStoreError } from "./errors.ts";
import { GensStore } from "./store.ts";

let dataRoot: string;
let store: GensStore;

beforeEach(() => {
  dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), "gens-store-"));
  store = new GensStore(dataRoot);
});
afterEach(() => {
  fs.rmSync(dataRoot, { recursive: true, force: true });
});

async function storeError(promise: Promise<unknown> | (() => unknown)): Promise<GensStoreError> {
  let err: unknown;
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(GensStoreError);
  return err as GensStoreError;
}

describe("GensStore layout", () => {
  it("places files under <dataRoot>/gens/<stage>/<gen_id>/", async () => {
    expect(store.dir("draft", "abc123")).toBe(path.join(dataRoot, "gens", "draft", "abc123"));
    const written = await store.writePrompt("essay", "e1", "prompt text");
    expect(written).toBe(path.join(dataRoot, "gens", "essay", "e1", "prompt.txt"));
    expect(fs.readFileSync(written, "utf8")).toBe("prompt text");
  });

  it("rejects a gen_id that is not one safe directory name before touching the disk", async () => {
    for (const bad of [
      "",
      "..",
      ".",
      "../x",
      "a/b",
      "a\\b",
      "a\u0000b",
      " a",
      "a:b",
      "a*",
      "x".repeat(256),
    ]) {
      const err = await storeError(() => store.writeRaw("draft", bad, "x"));
      expect(err.code).toBe("GEN_ID_INVALID");
      expect(err.hint).toMatch(/partition keys and ids become file and directory names/);
    }
    expect(fs.existsSync(path.join(dataRoot, "gens"))).toBe(false);
  });

  it("rejects an unknown stage, listing the valid ones", async () => {
    const err = await storeError(() => store.dir("drafts", "abc"));
    expect(err.code).toBe("GEN_STAGE_INVALID");
    expect(err.hint).toMatch(/draft, essay, evaluation/);
  });
});

describe("GensStore text files", () => {
  it("round-trips prompt, raw and parsed text", async () => {
    await store.writePrompt("draft", "g1", "the prompt\n");
    await store.writeRaw("draft", "g1", "raw answer ü\n");
    await store.writeParsed("draft", "g1", "parsed\n");
    expect(await store.readPrompt("draft", "g1")).toBe("the prompt\n");
    expect(await store.readRaw("draft", "g1")).toBe("raw answer ü\n");
    expect(await store.readParsed("draft", "g1")).toBe("parsed\n");
  });

  it("reads with universal newlines", async () => {
    const dir = store.dir("essay", "legacy");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "parsed.txt"), "a\r\nb\rc\n");
    expect(await store.readParsed("essay", "legacy")).toBe("a\nb\nc\n");
  });

  it("replaces a file atomically and leaves no temp files behind", async () => {
    await store.writeRaw("evaluation", "v1", "first");
    await store.writeRaw("evaluation", "v1", "second");
    expect(await store.readRaw("evaluation", "v1")).toBe("second");
    expect(fs.readdirSync(store.dir("evaluation", "v1"))).toEqual(["raw.txt"]);
  });

  it("names stage, gen_id, file and the asset to materialize when a file is missing", async () => {
    const err = await storeError(store.readParsed("draft", "nope"));
    expect(err.code).toBe("GEN_FILE_MISSING");
    expect(err.message).toContain("parsed.txt");
    expect(err.context).toMatchObject({ stage: "draft", gen_id: "nope" });
    expect(String(err.context.file)).toMatch(/gens[/\\]draft[/\\]nope[/\\]parsed\.txt$/);
    expect(err.hint).toMatch(/materialize draft_response for partition nope/);
    const promptErr = await storeError(store.readPrompt("evaluation", "nope"));
    expect(promptErr.hint).toMatch(/evaluation_prompt/);
  });

  it("removes one file of a generation, and does nothing when it is already absent", async () => {
    await store.writeRaw("essay", "e3", "raw");
    await store.writeParsed("essay", "e3", "parsed");
    store.remove("essay", "e3", "parsed");
    expect(fs.readdirSync(store.dir("essay", "e3"))).toEqual(["raw.txt"]);
    expect(() => store.remove("essay", "e3", "parsed")).not.toThrow();
    expect(() => store.remove("essay", "never-written", "parsed")).not.toThrow();
  });

  it("hasParsed is true only once parsed.txt exists, whoever wrote it", async () => {
    expect(store.hasParsed("essay", "e9")).toBe(false);
    await store.writeRaw("essay", "e9", "raw only");
    expect(store.hasParsed("essay", "e9")).toBe(false);
    fs.writeFileSync(path.join(store.dir("essay", "e9"), "parsed.txt"), "by hand");
    expect(store.hasParsed("essay", "e9")).toBe(true);
  });
});

describe("GensStore metadata", () => {
  it("writes pretty JSON with every existing key, empty strings for absent ones, and the stage key", async () => {
    await store.writeMetadata("essay", "e1", {
      parent_gen_id: "d1",
      template_id: "tpl",
      task_id: "t__tpl",
      cohort_id: "cohort-1",
      model_id: null,
      llm_provider: "offline",
      usage: { total_tokens: 12 },
      skipped: undefined,
    });
    const text = fs.readFileSync(store.path("essay", "e1", "metadata"), "utf8");
    expect(text).toBe(
      `${JSON.stringify(
        {
          stage: "essay",
          gen_id: "e1",
          parent_gen_id: "d1",
          template_id: "tpl",
          model_id: "",
          task_id: "t__tpl",
          function: "",
          run_id: "",
          cohort_id: "cohort-1",
          essay_template: "",
          llm_provider: "offline",
          usage: { total_tokens: 12 },
        },
        null,
        2,
      )}\n`,
    );
    expect(await store.readMetadata("essay", "e1")).toMatchObject({
      stage: "essay",
      parent_gen_id: "d1",
      llm_provider: "offline",
    });
  });

  it("adds combo_id to drafts and evaluation_template to evaluations", async () => {
    const draft = await store.writeMetadata("draft", "d1", { combo_id: "combo_v1_abc" });
    const evaluation = await store.writeMetadata("evaluation", "v1", { evaluation_template: "novelty" });
    expect(draft.combo_id).toBe("combo_v1_abc");
    expect(Object.keys(evaluation)).toContain("evaluation_template");
    expect(Object.keys(evaluation)).not.toContain("combo_id");
  });

  it("refuses metadata whose stage or gen_id disagrees with where it is written", async () => {
    const err = await storeError(store.writeMetadata("draft", "d1", { gen_id: "other" }));
    expect(err.code).toBe("GEN_METADATA_INVALID");
    const typeErr = await storeError(store.writeMetadata("draft", "d1", { task_id: 5 as unknown as string }));
    expect(typeErr.message).toMatch(/task_id must be a string/);
  });

  it("reads metadata written by the Python pipeline, filling absent keys with empty strings", async () => {
    const dir = store.dir("draft", "py1");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "metadata.json"),
      JSON.stringify({
        stage: "draft",
        gen_id: "py1",
        parent_gen_id: null,
        combo_id: "combo_v1_x",
        duration_s: 3.2,
      }),
    );
    const md = await store.readMetadata("draft", "py1");
    expect(md).toMatchObject({ parent_gen_id: "", cohort_id: "", combo_id: "combo_v1_x", duration_s: 3.2 });
  });

  it("reports an unparseable metadata.json with its path", async () => {
    const dir = store.dir("draft", "bad");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "metadata.json"), "{ nope");
    const err = await storeError(store.readMetadata("draft", "bad"));
    expect(err.code).toBe("GEN_METADATA_INVALID");
    expect(String(err.context.file)).toMatch(/metadata\.json$/);
  });
});
