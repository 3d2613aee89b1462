/**
 * Issue 14, sections 1 and 3, through the `assets` binary on a generated Cartesian cohort
 * (2 drafts, 4 essays, 8 evaluations, offline LLM): a deleted generation directory or
 * parsed.txt counts as missing alike in `list`, `show`, the UI's API and `--missing`, which
 * regenerates it once; editing a template or regenerating a parent makes exactly the
 * generations that depend on it stale, `--stale` redoes only those, and again nothing.
 */
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { materializeOk, runCli, spawnCli, writeProjectConfig } from "./helpers/cli.ts";
import { membershipRows, type TempProject, tempProject } from "./helpers/data-root.ts";

const GENERATION = "group:generation_draft,group:generation_essays,group:evaluation";
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON documents
type Json = any;

let project: TempProject;
let rows: Array<Record<string, string>>;

beforeAll(async () => {
  project = tempProject("gen-stale-");
  writeProjectConfig(project.dir);
  await materializeOk(project.dir, ["--select", "cohort_id,cohort_membership,group:task_definitions"]);
  const run = await materializeOk(project.dir, ["--select", GENERATION, "--missing"]);
  expect(run).toMatchObject({ status: "succeeded", totalSteps: 28 });
  rows = membershipRows(project.dataRoot);
}, 120_000);
afterAll(() => project.cleanup());

async function cliJson(args: string[]): Promise<Json> {
  const res = await runCli(project.dir, [...args, "--json"]);
  if (res.code !== 0) throw new Error(`assets ${args.join(" ")} exited ${res.code}\n${res.stderr}`);
  return JSON.parse(res.stdout);
}

/** Materialized/missing counts of an asset as `list`, `show` and the UI's API report them. */
async function countsEverywhere(key: string, ui: UiProcess) {
  const listed = (await cliJson(["list", "--select", key]))[0].partitionCounts;
  const shown = (await cliJson(["show", key])).partitionCounts;
  const page = (await ui.get(`/api/assets/${key}`)).asset.partitionCounts;
  return {
    list: { materialized: listed.materialized, missing: listed.missing },
    show: { materialized: shown.materialized, missing: shown.missing },
    ui: { materialized: page.materialized, missing: page.missing },
  };
}

interface UiProcess {
  get(urlPath: string): Promise<Json>;
  stop(): Promise<void>;
}

/** `assets ui --port 0` in the project; its URL is read from the first line it prints. */
async function startUi(): Promise<UiProcess> {
  const child: ChildProcess = spawnCli(project.dir, ["ui", "--port", "0"]);
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const match = /assets ui: (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`assets ui exited ${code} before listening: ${out}`)));
  });
  return {
    async get(urlPath) {
      const res = await fetch(new URL(urlPath, url));
      expect(res.status).toBe(200);
      return res.json();
    },
    stop: () =>
      new Promise((resolve) => {
        child.on("close", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

function genIds(stage: string, where: (r: Record<string, string>) => boolean = () => true): string[] {
  return rows.filter((r) => r.stage === stage && where(r)).map((r) => r.gen_id);
}

function genFile(stage: string, genId: string, file: string): string {
  return path.join(project.dataRoot, "gens", stage, genId, file);
}

describe("the store is the truth, both ways", () => {
  it("a deleted generation directory is missing for list, show, the UI and --missing, and is regenerated once", async () => {
    const evaluation = genIds("evaluation")[0];
    fs.rmSync(path.join(project.dataRoot, "gens", "evaluation", evaluation), { recursive: true });
    const ui = await startUi();
    try {
      const expected = { materialized: 7, missing: 1 };
      for (const key of ["evaluation_prompt", "evaluation_response"]) {
        expect(await countsEverywhere(key, ui)).toEqual({ list: expected, show: expected, ui: expected });
      }
      const partition = await ui.get(`/api/assets/evaluation_response/partitions/${evaluation}`);
      expect(partition.status).toBe("missing");
      const cohortId = rows[0].cohort_id;
      const progress = (await ui.get(`/api/cohorts/${cohortId}`)).progress;
      expect(progress.find((p: Json) => p.stage === "evaluation")).toMatchObject({ done: 7, pending: 1 });
    } finally {
      await ui.stop();
    }
    const run = await materializeOk(project.dir, ["--select", GENERATION, "--missing"]);
    expect(run).toMatchObject({ status: "succeeded", totalSteps: 2, succeeded: 2 });
    expect(fs.existsSync(genFile("evaluation", evaluation, "parsed.txt"))).toBe(true);
    expect((await materializeOk(project.dir, ["--select", GENERATION, "--missing"])).totalSteps).toBe(0);
  });

  it("a deleted parsed.txt makes only that response missing; --missing regenerates it once", async () => {
    const essay = genIds("essay")[0];
    fs.rmSync(genFile("essay", essay, "parsed.txt"));
    const shown = await cliJson(["show", "essay_response", "--partition", essay]);
    expect(shown.status).toBe("missing");
    expect(shown.partitionCounts).toMatchObject({ materialized: 3, missing: 1 });
    expect((await cliJson(["show", "essay_prompt"])).partitionCounts).toMatchObject({ missing: 0 });
    const run = await materializeOk(project.dir, ["--select", GENERATION, "--missing"]);
    expect(run).toMatchObject({ status: "succeeded", totalSteps: 1, succeeded: 1 });
    expect(fs.existsSync(genFile("essay", essay, "parsed.txt"))).toBe(true);
  });
});

describe("staleness", () => {
  it("nothing is stale after generating, and --stale has nothing to do", async () => {
    for (const key of ["draft_prompt", "essay_prompt", "essay_response", "evaluation_response"]) {
      expect((await cliJson(["show", key])).stale.count).toBe(0);
    }
    expect((await materializeOk(project.dir, ["--select", GENERATION, "--stale"])).totalSteps).toBe(0);
  });

  it("editing an essay template makes exactly its essays and their evaluations stale; --stale redoes only them", async () => {
    const edited = genIds("essay", (r) => r.essay_template === "short-essay");
    const evaluations = genIds("evaluation", (r) => edited.includes(r.parent_gen_id));
    expect(edited.length).toBe(2);
    const template = path.join(project.dataRoot, "1_raw", "generation_templates", "essay", "short-essay.txt");
    fs.appendFileSync(template, "\nEnd with a one-line summary.\n");

    const prompts = await cliJson(["show", "essay_prompt", "--stale"]);
    expect(prompts.stale.count).toBe(2);
    expect(prompts.stale.byCause).toEqual([{ cause: "code version changed", count: 2 }]);
    expect(prompts.stale.sample.map((s: Json) => s.partitionKey).sort()).toEqual([...edited].sort());
    const responses = await cliJson(["show", "essay_response", "--stale"]);
    expect(responses.stale.byCause).toEqual([{ cause: "upstream essay_prompt stale", count: 2 }]);
    const evals = await cliJson(["show", "evaluation_response", "--stale"]);
    expect(evals.stale.count).toBe(evaluations.length);
    expect(evals.stale.sample.map((s: Json) => s.partitionKey).sort()).toEqual([...evaluations].sort());
    expect((await cliJson(["show", "draft_response"])).stale.count).toBe(0);
    const one = await cliJson(["show", "essay_prompt", "--partition", edited[0]]);
    expect(one.staleCauses).toEqual([
      expect.stringMatching(/^code version short-essay@\w+ -> short-essay@\w+$/),
    ]);

    const run = await materializeOk(project.dir, ["--select", GENERATION, "--stale"]);
    // 2 essay prompts and responses, and their evaluations' prompts and responses.
    expect(run).toMatchObject({ status: "succeeded", totalSteps: 4 + 2 * evaluations.length });
    expect(fs.readFileSync(genFile("essay", edited[0], "prompt.txt"), "utf8")).toContain("one-line summary");
    expect((await materializeOk(project.dir, ["--select", GENERATION, "--stale"])).totalSteps).toBe(0);
  });

  it("a parent regenerated with other text makes its children stale with the input as cause", async () => {
    const draft = genIds("draft")[0];
    const children = genIds("essay", (r) => r.parent_gen_id === draft);
    fs.rmSync(genFile("draft", draft, "parsed.txt"));
    // The offline LLM answers deterministically: a changed draft template changes its text.
    const draftTemplate = rows.find((r) => r.gen_id === draft)!.draft_template;
    fs.appendFileSync(
      path.join(project.dataRoot, "1_raw", "generation_templates", "draft", `${draftTemplate}.txt`),
      "\nAdd a fourth stage.\n",
    );
    await materializeOk(project.dir, ["--select", "draft_prompt,draft_response", "--partition", draft]);
    const essays = await cliJson(["show", "essay_prompt", "--stale"]);
    expect(essays.stale.byCause).toEqual([{ cause: "input draft_response changed", count: children.length }]);
    expect(essays.stale.sample.map((s: Json) => s.partitionKey).sort()).toEqual([...children].sort());
  });
});
