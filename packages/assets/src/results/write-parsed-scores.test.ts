import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { asset, defineDefinitions, materialize, openInstance, type RunProgressEvent } from "@daydream/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GensStore } from "../gens/store.ts";
import { parseCsv } from "../raw/csv-text.ts";
import { parsedScoresPath } from "./cross-experiment.ts";
import { PARSED_SCORES_COLUMNS } from "./parsed-scores.ts";
import { parsedScoresAsset } from "./parsed-scores-asset.ts";
import { cohortParsedScoresPath, writeParsedScores } from "./write-parsed-scores.ts";

const EVALUATION_HEADER =
  "gen_id,cohort_id,evaluation_task_id,parent_gen_id,evaluation_template,evaluation_model,evaluation_model_name,parser";
const ESSAY_HEADER =
  "gen_id,cohort_id,essay_task_id,parent_gen_id,draft_task_id,combo_id,draft_template,essay_template,generation_model,generation_model_name";

let root: string;

function write(rel: string, text: string): void {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

function readRows(file: string): Record<string, string>[] {
  const records: string[][] = [];
  parseCsv(fs.readFileSync(file, "utf8"), (fields) => records.push(fields));
  const [header, ...rows] = records;
  return rows.map((r) => Object.fromEntries(header.map((h, k) => [h, r[k]])));
}

/** A cohort of two essays: e1 listed in the essay task table, e2 (legacy) known only to the gens store. */
async function seedCohort(): Promise<GensStore> {
  write(
    "1_raw/evaluation_templates.csv",
    "template_id,template_name,description,active,parser\nnovelty,Novelty,,True,in_last_line\nlegacy,Legacy,,True,complex\n",
  );
  write(
    "2_tasks/essay_generation_tasks.csv",
    `${ESSAY_HEADER}\ne1,cohort-x,d1__essay-v1,d1,c1__brainstorm__gpt,combo_v1_aaa,brainstorm,essay-v1,gpt,openai/gpt\n`,
  );
  write(
    "2_tasks/evaluation_tasks.csv",
    [
      EVALUATION_HEADER,
      "v1,cohort-x,e1__novelty__sonnet,e1,novelty,sonnet,anthropic/sonnet,in_last_line",
      "v2,cohort-x,e1__legacy__sonnet,e1,legacy,sonnet,anthropic/sonnet,",
      "v3,cohort-x,e2__novelty__sonnet,e2,novelty,sonnet,anthropic/sonnet,in_last_line",
      "v4,cohort-x,e2__novelty__gemini,e2,novelty,gemini,google/gemini,in_last_line",
      "v5,cohort-x,e1__novelty__gemini,e1,novelty,gemini,google/gemini,in_last_line",
      "",
    ].join("\n"),
  );
  const store = new GensStore(root);
  await store.writeMetadata("draft", "d2", {
    template_id: "outline",
    model_id: "qwen",
    combo_id: "combo_v1_bbb",
  });
  await store.writeMetadata("essay", "e2", {
    parent_gen_id: "d2",
    template_id: "essay-v2",
    essay_template: "essay-v2",
    model_id: "qwen",
  });
  await store.writeMetadata("evaluation", "v1", { parent_gen_id: "e1", evaluation_template: "novelty" });
  await store.writeRaw("evaluation", "v1", "Fine work.\nSCORE: 7\n");
  await store.writeParsed("evaluation", "v1", "7.0\n");
  await store.writeRaw("evaluation", "v2", "Long review\nTotal Score: 9/10\n");
  await store.writeRaw("evaluation", "v3", "No verdict at all.\n");
  // v4 never generated; v5's metadata is corrupt.
  await store.writeParsed("evaluation", "v5", "4.0\n");
  fs.writeFileSync(store.path("evaluation", "v5", "metadata"), "{ not json");
  return store;
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "parsed-scores-"));
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe("writeParsedScores", () => {
  it("writes one row per evaluation in task order, errors in the error column", async () => {
    await seedCohort();
    const summary = await writeParsedScores(root);
    expect(summary).toMatchObject({ rows: 5, scored: 2, errors: 3, missing: 1, cohortIds: ["cohort-x"] });
    const file = parsedScoresPath(root);
    expect(summary.file).toBe(file);
    expect(fs.readFileSync(file, "utf8").split("\n")[0]).toBe(PARSED_SCORES_COLUMNS.join(","));
    const rows = readRows(file);
    expect(rows.map((r) => [r.gen_id, r.score, r.score_source])).toEqual([
      ["v1", "7.0", "parsed"],
      ["v2", "9.0", "raw"],
      ["v3", "", ""],
      ["v4", "", ""],
      ["v5", "", ""],
    ]);
    expect(rows[2].error).toMatch(/no score found/);
    expect(rows[3].error).toMatch(/not generated/);
    expect(rows[4].error).toMatch(/metadata.json is not valid JSON/);
    expect(fs.readdirSync(path.dirname(file))).toEqual(["parsed_scores.csv"]);
  });

  it("takes essay context from the essay task table, else from the essay's and its draft's metadata", async () => {
    await seedCohort();
    await writeParsedScores(root);
    const rows = readRows(parsedScoresPath(root));
    const pick = (r: Record<string, string>) => [
      r.combo_id,
      r.draft_template,
      r.essay_template,
      r.generation_model,
      r.draft_gen_id,
    ];
    expect(pick(rows[0])).toEqual(["combo_v1_aaa", "brainstorm", "essay-v1", "gpt", "d1"]);
    expect(pick(rows[2])).toEqual(["combo_v1_bbb", "outline", "essay-v2", "qwen", "d2"]);
  });

  it("names the task asset to materialize when evaluation_tasks.csv is missing", async () => {
    await expect(writeParsedScores(root)).rejects.toMatchObject({
      code: "TASK_TABLE_MISSING",
      hint: expect.stringContaining("--select evaluation_tasks"),
    });
  });

  it("fails on a task row without parent_gen_id, naming the file, the evaluation and the column", async () => {
    write("1_raw/evaluation_templates.csv", "template_id,parser\nnovelty,in_last_line\n");
    write("2_tasks/evaluation_tasks.csv", `${EVALUATION_HEADER}\nv1,cohort-x,t,,novelty,sonnet,,\n`);
    await expect(writeParsedScores(root)).rejects.toThrow(
      /evaluation_tasks.csv: evaluation v1 has an empty parent_gen_id/,
    );
  });

  it("leaves the previous parsed_scores.csv in place when it cannot build a new one", async () => {
    write("7_cross_experiment/parsed_scores.csv", "previous\n");
    write("2_tasks/evaluation_tasks.csv", `${EVALUATION_HEADER}\n`);
    await expect(writeParsedScores(root)).rejects.toThrow(/evaluation_templates.csv/);
    expect(fs.readFileSync(parsedScoresPath(root), "utf8")).toBe("previous\n");
    expect(fs.readdirSync(path.join(root, "7_cross_experiment"))).toEqual(["parsed_scores.csv"]);
  });
});

describe("parsed_scores across cohorts", () => {
  const cohortFile = (id: string) => cohortParsedScoresPath(root, id);
  const ids = (file: string) => readRows(file).map((r) => r.gen_id);

  /** A second cohort: two evaluations (replicates 1 and 2) of essay e1, w1 scored. */
  async function switchToCohortY(store: GensStore): Promise<void> {
    write(
      "2_tasks/evaluation_tasks.csv",
      [
        `${EVALUATION_HEADER},replicate`,
        "w1,cohort-y,e1__novelty__sonnet,e1,novelty,sonnet,anthropic/sonnet,in_last_line,1",
        "w2,cohort-y,e1__novelty__sonnet,e1,novelty,sonnet,anthropic/sonnet,in_last_line,2",
        "",
      ].join("\n"),
    );
    await store.writeParsed("evaluation", "w1", "5.0\n");
  }

  it("writes the cohort's rows to data/cohorts/<id>/parsed_scores.csv too", async () => {
    await seedCohort();
    const summary = await writeParsedScores(root);
    expect(summary.cohortFiles).toEqual([cohortFile("cohort-x")]);
    expect(fs.readFileSync(cohortFile("cohort-x"), "utf8")).toBe(
      fs.readFileSync(parsedScoresPath(root), "utf8"),
    );
    expect(readRows(cohortFile("cohort-x")).map((r) => r.replicate)).toEqual(["1", "1", "1", "1", "1"]);
  });

  it("keeps every cohort's rows in the cross-experiment table, refreshing a cohort's rows in place", async () => {
    const store = await seedCohort();
    await writeParsedScores(root);
    const firstRows = readRows(parsedScoresPath(root));
    await switchToCohortY(store);
    const second = await writeParsedScores(root);
    expect(second).toMatchObject({ rows: 2, scored: 1, crossRows: 7, cohortIds: ["cohort-y"] });
    const cross = readRows(parsedScoresPath(root));
    expect(cross.slice(0, 5)).toEqual(firstRows);
    expect(cross.slice(5).map((r) => [r.gen_id, r.cohort_id, r.replicate, r.score])).toEqual([
      ["w1", "cohort-y", "1", "5.0"],
      ["w2", "cohort-y", "2", ""],
    ]);
    expect(ids(cohortFile("cohort-y"))).toEqual(["w1", "w2"]);
    expect(ids(cohortFile("cohort-x"))).toEqual(["v1", "v2", "v3", "v4", "v5"]);

    // cohort-x again, after v4 got its score: its row changes where it stands, nothing else moves.
    await seedCohort();
    await store.writeParsed("evaluation", "v4", "3.0\n");
    const third = await writeParsedScores(root);
    expect(third.crossRows).toBe(7);
    const again = readRows(parsedScoresPath(root));
    expect(again.map((r) => r.gen_id)).toEqual(["v1", "v2", "v3", "v4", "v5", "w1", "w2"]);
    expect(again.map((r) => r.score)).toEqual(["7.0", "9.0", "", "3.0", "", "5.0", ""]);
    expect(ids(cohortFile("cohort-y"))).toEqual(["w1", "w2"]);
  });

  it("keeps rows of a cross-experiment table written before the replicate column, by column name", async () => {
    write(
      "7_cross_experiment/parsed_scores.csv",
      "parent_gen_id,gen_id,score,cohort_id,evaluation_template,evaluation_model\nold-essay,old-1,6.0,cohort-old,novelty,sonnet\n",
    );
    await seedCohort();
    await writeParsedScores(root);
    const [old, ...rest] = readRows(parsedScoresPath(root));
    expect(old).toMatchObject({ gen_id: "old-1", parent_gen_id: "old-essay", score: "6.0", replicate: "" });
    expect(rest.map((r) => r.gen_id)).toEqual(["v1", "v2", "v3", "v4", "v5"]);
  });

  it("refuses a cross-experiment table without gen_id and writes nothing", async () => {
    write("7_cross_experiment/parsed_scores.csv", "essay,score\ne1,7\n");
    await seedCohort();
    await expect(writeParsedScores(root)).rejects.toMatchObject({
      code: "PARSED_SCORES_INVALID",
      message: expect.stringContaining("the header has no gen_id column"),
      hint: expect.stringContaining("move the file aside"),
    });
    expect(fs.existsSync(cohortFile("cohort-x"))).toBe(false);
    expect(fs.readFileSync(parsedScoresPath(root), "utf8")).toBe("essay,score\ne1,7\n");
    expect(fs.readdirSync(path.join(root, "7_cross_experiment"))).toEqual(["parsed_scores.csv"]);
  });
});

describe("parsedScoresAsset", () => {
  let home: string;
  const savedRoot = process.env.DD_DATA_ROOT;

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "parsed-scores-home-"));
    process.env.DD_DATA_ROOT = root;
  });

  afterEach(() => {
    if (savedRoot === undefined) delete process.env.DD_DATA_ROOT;
    else process.env.DD_DATA_ROOT = savedRoot;
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("materializes under the data root and reports rows, scored, errors and path", async () => {
    await seedCohort();
    const stub = (key: string) => asset({ key, compute: () => null });
    const defs = defineDefinitions({
      assets: [stub("evaluation_tasks"), stub("evaluation_response"), parsedScoresAsset],
    });
    expect(parsedScoresAsset.group).toBe("results");
    const events: RunProgressEvent[] = [];
    const instance = openInstance(home);
    try {
      const summary = await materialize(defs, {
        selection: "parsed_scores",
        instance,
        onProgress: (e) => events.push(e),
      });
      expect(summary.status).toBe("succeeded");
    } finally {
      instance.close();
    }
    const done = events.find((e) => e.type === "step_success");
    expect(done && done.type === "step_success" ? done.metadata : undefined).toMatchObject({
      rows: 5,
      scored: 2,
      errors: 3,
      missing: 1,
      cohort_id: "cohort-x",
      path: expect.stringContaining(path.join("7_cross_experiment", "parsed_scores.csv")),
    });
    expect(readRows(parsedScoresPath(root))).toHaveLength(5);
  });
});
