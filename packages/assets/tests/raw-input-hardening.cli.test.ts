/**
 * Bad raw input through the real `assets` binary: a missing data root, malformed or
 * non-UTF-8 files, oversized files and prompts, template syntax errors and variables a
 * template is not given, cohort ids and partition keys. Bad input exits 2, naming the file.
 */
import fs from "node:fs";
import path from "node:path";
import { validatePartitionKey } from "@daydream/core";
import { afterEach, describe, expect, it } from "vitest";
import { type CliResult, materializeOk, runCli, writeProjectConfig } from "./generation/helpers/cli.ts";
import { type TempProject, tempProject } from "./generation/helpers/data-root.ts";

interface Summary {
  runId: string;
  status: string;
  succeeded: number;
  failed: number;
  failures: { assetKey: string; partitionKey?: string; error: string; hint?: string }[];
}

const TASKS = "cohort_id,cohort_membership,group:task_definitions";
const LOOSE_NOTES = "data/1_raw/generation_templates/draft/loose-notes.txt";
const TIDAL_PARAGRAPH = "data/1_raw/concepts/descriptions-paragraph/tidal-memory.txt";

let project: TempProject | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

function newProject(): TempProject {
  project = tempProject("raw-hardening-");
  writeProjectConfig(project.dir);
  return project;
}

function write(p: TempProject, rel: string, content: string | Buffer): void {
  fs.writeFileSync(path.join(p.dir, rel), content);
}

async function materialize(p: TempProject, select: string, env: Record<string, string> = {}) {
  const partitions = select === "draft_prompt" ? ["--all-partitions"] : [];
  const res = await runCli(p.dir, ["materialize", "--select", select, ...partitions, "--json"], env);
  return { res, summary: JSON.parse(res.stdout) as Summary };
}

/** The message the partition-key rule gives, as the UI and `partitions add` give it too. */
function ruleMessage(value: string, what: string): string {
  try {
    validatePartitionKey(value, { what });
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${JSON.stringify(value)} is a valid ${what}`);
}

function expectExit(res: CliResult, code: number): void {
  expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(code);
}

describe("the data root", () => {
  it("names a DD_DATA_ROOT that does not exist, instead of the first raw file it lacks (exit 2)", async () => {
    const p = newProject();
    const res = await runCli(p.dir, ["materialize", "--select", "cohort_id,cohort_membership"], {
      DD_DATA_ROOT: "no-such-dir",
    });
    expectExit(res, 2);
    const root = path.join(p.dir, "no-such-dir");
    expect(res.stdout).toContain(
      `✗ cohort_id: the data root ${root} does not exist (DD_DATA_ROOT=no-such-dir)`,
    );
    expect(res.stdout).toContain(`hint: set DD_DATA_ROOT (in the shell, or under env: in assets.yaml)`);
    expect(res.stdout).toContain(`or create ${root}`);
    expect(res.stdout).not.toContain("draft_templates.csv");
  });
});

describe("raw CSV files", () => {
  it("exits 2 on a malformed CSV, naming the file and line", async () => {
    const p = newProject();
    write(
      p,
      "data/1_raw/llm_models.csv",
      'id,model,provider,display_name,for_generation,for_evaluation,specialization\ngen-small,"offline/gen-small,offline,Gen,True,False,\n',
    );
    const { res, summary } = await materialize(p, "cohort_id");
    expectExit(res, 2);
    expect(summary.failures[0].error).toBe(
      "data/1_raw/llm_models.csv, line 2: a quoted field is never closed",
    );
  });
});

describe("text files that are not valid UTF-8", () => {
  it("fails on a concept description, naming the file, line and byte offset (exit 2)", async () => {
    const p = newProject();
    // 0xE9 is "é" in Latin-1: not UTF-8. It is byte 10 (0-based) of the file, on line 2.
    write(
      p,
      TIDAL_PARAGRAPH,
      Buffer.from([...Buffer.from("Tidal\n caf"), 0xe9, ...Buffer.from(" memory\n")]),
    );
    const { res, summary } = await materialize(p, TASKS);
    expectExit(res, 2);
    const failure = summary.failures.find((f) => f.assetKey === "content_combinations");
    expect(failure?.error).toBe(
      `${TIDAL_PARAGRAPH}, line 2, byte offset 10: not valid UTF-8: invalid byte sequence starting with 0xE9`,
    );
    expect(failure?.hint).toMatch(/save the file as UTF-8/);
  });

  it("fails on a template, naming the file and byte offset (exit 2)", async () => {
    const p = newProject();
    await materializeOk(p.dir, ["--select", TASKS]);
    // A truncated 3-byte sequence at the very start.
    write(p, LOOSE_NOTES, Buffer.from([0xe2, 0x82, 0x41, 0x0a]));
    const { res, summary } = await materialize(p, "draft_prompt");
    expectExit(res, 2);
    expect(summary.failures.map((f) => f.error)).toContain(
      `${LOOSE_NOTES}, line 1, byte offset 0: not valid UTF-8: invalid byte sequence starting with 0xE2`,
    );
  });
});

describe("size limits", () => {
  it("refuses a template over DD_MAX_INPUT_FILE_BYTES, naming the file (exit 2)", async () => {
    const p = newProject();
    await materializeOk(p.dir, ["--select", TASKS]);
    write(p, LOOSE_NOTES, `${"x".repeat(1500)}\n`);
    const { res, summary } = await materialize(p, "draft_prompt", { DD_MAX_INPUT_FILE_BYTES: "1000" });
    expectExit(res, 2);
    const failure = summary.failures.find((f) => f.error.startsWith(LOOSE_NOTES));
    expect(failure?.error).toBe(`${LOOSE_NOTES}: the template is 1,501 bytes, over the limit of 1,000 bytes`);
    expect(failure?.hint).toMatch(/raise DD_MAX_INPUT_FILE_BYTES/);
  });

  it("refuses a concept description over the limit, naming the file (exit 2)", async () => {
    const p = newProject();
    write(p, TIDAL_PARAGRAPH, "t".repeat(2000));
    const { res, summary } = await materialize(p, TASKS, { DD_MAX_INPUT_FILE_BYTES: "1000" });
    expectExit(res, 2);
    expect(summary.failures.map((f) => f.error)).toContain(
      `${TIDAL_PARAGRAPH}: the concept description is 2,000 bytes, over the limit of 1,000 bytes`,
    );
  });

  it("fails a prompt step whose rendered prompt is over DD_MAX_PROMPT_BYTES, writing no prompt.txt (exit 1)", async () => {
    const p = newProject();
    await materializeOk(p.dir, ["--select", TASKS]);
    const { res, summary } = await materialize(p, "draft_prompt", { DD_MAX_PROMPT_BYTES: "200" });
    // A prompt too long is no malformed file: the step failed (exit 1).
    expectExit(res, 1);
    const failure = summary.failures.find((f) => f.error.includes("idea-stages"));
    expect(failure?.error).toMatch(
      /^the draft prompt rendered from data\/1_raw\/generation_templates\/draft\/idea-stages\.txt is [\d,]+ bytes, over the limit of 200 bytes$/,
    );
    expect(failure?.hint).toMatch(/raise DD_MAX_PROMPT_BYTES/);
    // The short loose-notes prompt fits; the long one is never written.
    expect(summary).toMatchObject({ succeeded: 1, failed: 1 });
    const genDir = path.join(p.dataRoot, "gens", "draft", String(failure?.partitionKey));
    expect(fs.existsSync(path.join(genDir, "prompt.txt"))).toBe(false);
  });
});

describe("templates", () => {
  it("names the file and line of a syntax error (exit 2)", async () => {
    const p = newProject();
    await materializeOk(p.dir, ["--select", TASKS]);
    write(p, LOOSE_NOTES, "Notes on:\n{% for c in concepts %}\n{{ c.name }\n{% endfor %}\n");
    const { res, summary } = await materialize(p, "draft_prompt");
    expectExit(res, 2);
    expect(summary.failures.map((f) => f.error)).toContainEqual(
      expect.stringMatching(new RegExp(`^syntax error in template ${LOOSE_NOTES}:3:\\d+: `)),
    );
  });

  it("renders a variable it is not given as empty and warns once per template in the run log", async () => {
    const p = newProject();
    // A second generation model: two drafts per template, so "once" is tested.
    const models = path.join(p.dataRoot, "1_raw", "llm_models.csv");
    fs.writeFileSync(
      models,
      fs
        .readFileSync(models, "utf8")
        .replace(
          "retired-gen,offline/retired,offline,Retired generator,False",
          "retired-gen,offline/retired,offline,Retired generator,True",
        ),
    );
    await materializeOk(p.dir, ["--select", TASKS]);
    const run = await materializeOk(p.dir, ["--select", "draft_prompt", "--all-partitions"]);
    expect(run).toMatchObject({ status: "succeeded", succeeded: 4 });
    const logs = await runCli(p.dir, ["logs", run.runId, "--raw"]);
    const warnings = logs.stdout
      .split("\n")
      .filter((line) => line.includes("not given"))
      .map((line) => JSON.parse(line) as { msg: string; unknown_variables: string[] });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      msg: `template ${LOOSE_NOTES} uses a variable it is not given, rendered as empty: undefined_variable (given: concepts)`,
      unknown_variables: ["undefined_variable"],
    });
    const prompts = fs
      .readdirSync(path.join(p.dataRoot, "gens", "draft"))
      .map((id) => fs.readFileSync(path.join(p.dataRoot, "gens", "draft", id, "prompt.txt"), "utf8"));
    expect(prompts.filter((text) => /Use at least three lines\.\n?$/.test(text))).toHaveLength(2);
  });
});

describe("cohort ids and partition keys: one rule everywhere", () => {
  it.each([" padded", "padded ", "a:b", "a*b", "."])(
    "refuses DD_COHORT=%j with the rule's message (exit 2)",
    async (id) => {
      const p = newProject();
      const { res, summary } = await materialize(p, "cohort_id", { DD_COHORT: id });
      expectExit(res, 2);
      expect(summary.failures[0].error).toBe(ruleMessage(id, "cohort id"));
      expect(summary.failures[0].hint).toMatch(/^set the DD_COHORT environment variable/);
      expect(fs.existsSync(path.join(p.dataRoot, "cohorts"))).toBe(false);
    },
  );

  it("accepts a cohort id with a space inside, as the UI does", async () => {
    const p = newProject();
    await materializeOk(p.dir, ["--select", "cohort_id,cohort_membership"], { DD_COHORT: "two words" });
    expect(fs.existsSync(path.join(p.dataRoot, "cohorts", "two words", "membership.csv"))).toBe(true);
  });

  it("refuses in `partitions add` the keys a run refuses, with the same problem", async () => {
    const p = newProject();
    for (const key of [".", "  ", " x", "a:b"]) {
      const add = await runCli(p.dir, ["partitions", "add", "draft_gens", key]);
      expectExit(add, 2);
      const problem = ruleMessage(key, "partition key").replace(/^partition key "[^"]*" /, "");
      expect(add.stderr).toContain(`for partitions "draft_gens" ${problem}`);
    }
    const listed = await runCli(p.dir, ["partitions", "list", "draft_gens", "--json"]);
    expect(JSON.parse(listed.stdout)).toEqual([]);
    const dot = await runCli(p.dir, ["materialize", "--select", "draft_prompt", "--partition", "."]);
    expectExit(dot, 2);
    expect(dot.stderr).toContain('partition key "." is "." (the current directory)');
  });
});
