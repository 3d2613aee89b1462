import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { asset, defineDefinitions, dynamicPartitions, type IOManager, materialize } from "@daydream/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../testing/harness.ts";

const COHORT = "cohort-test01";
const HEADER =
  "stage,gen_id,cohort_id,draft_task_id,combo_id,draft_template,generation_model,generation_model_name," +
  "essay_task_id,parent_gen_id,essay_template,evaluation_task_id,evaluation_template,evaluation_model,evaluation_model_name";

function memberRow(fields: Record<string, string>): string {
  return HEADER.split(",")
    .map((column) => fields[column] ?? "")
    .join(",");
}

const ROWS: Record<string, string>[] = [
  { stage: "draft", gen_id: "d1", combo_id: "combo_v1_a", draft_template: "dt1", generation_model: "gm-1" },
  { stage: "draft", gen_id: "d2", combo_id: "combo_v1_b", draft_template: "dt1", generation_model: "gm-2" },
  { stage: "draft", gen_id: "d3", combo_id: "combo_v1_a", draft_template: "dt2", generation_model: "gm-1" },
  { stage: "essay", gen_id: "e1", parent_gen_id: "d1", essay_template: "et1", generation_model: "gm-1" },
  { stage: "essay", gen_id: "e2", parent_gen_id: "d2", essay_template: "et1", generation_model: "gm-2" },
  { stage: "essay", gen_id: "e3", parent_gen_id: "d3", essay_template: "et2", generation_model: "gm-1" },
  {
    stage: "evaluation",
    gen_id: "v1",
    parent_gen_id: "e1",
    evaluation_template: "tplA",
    evaluation_model: "m1",
  },
  {
    stage: "evaluation",
    gen_id: "v2",
    parent_gen_id: "e1",
    evaluation_template: "tplB",
    evaluation_model: "m1",
  },
  {
    stage: "evaluation",
    gen_id: "v3",
    parent_gen_id: "e2",
    evaluation_template: "tplA",
    evaluation_model: "m1",
  },
  {
    stage: "evaluation",
    gen_id: "v4",
    parent_gen_id: "e2",
    evaluation_template: "tplB",
    evaluation_model: "m1",
  },
  {
    stage: "evaluation",
    gen_id: "v5",
    parent_gen_id: "e3",
    evaluation_template: "tplA",
    evaluation_model: "m1",
  },
  {
    stage: "evaluation",
    gen_id: "v6",
    parent_gen_id: "e3",
    evaluation_template: "tplB",
    evaluation_model: "m1",
  },
];
const PARSED: Record<string, string> = {
  "draft/d1": "idea one\n",
  "draft/d2": "idea two\n",
  "essay/e1": "Essay one.\n",
  "essay/e2": "Essay two.\n",
  "essay/e3": "Essay three.\n",
  "evaluation/v1": "8.0\n",
  "evaluation/v2": "6.0\n",
  "evaluation/v3": "7.0\n",
  "evaluation/v4": "7.0\n",
  "evaluation/v5": "no score here\n",
};

let h: Harness;
let dataRoot: string;
let outside: string;

function writeFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

beforeAll(async () => {
  dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), "assets-ui-data-"));
  outside = fs.mkdtempSync(path.join(os.tmpdir(), "assets-ui-outside-"));
  const cohortDir = path.join(dataRoot, "cohorts", COHORT);
  writeFile(path.join(cohortDir, "cohort.yaml"), `id: ${COHORT}\nmode: cartesian\nartifact_reuse: none\n`);
  const rows = ROWS.map((r) => memberRow({ ...r, cohort_id: COHORT }));
  // A duplicated row is tolerated and counted once (cohort-plan.md).
  writeFile(path.join(cohortDir, "membership.csv"), [HEADER, ...rows, rows[0]].join("\n") + "\n");
  for (const [gen, text] of Object.entries(PARSED)) {
    writeFile(path.join(dataRoot, "gens", gen, "parsed.txt"), text);
    writeFile(path.join(dataRoot, "gens", gen, "prompt.txt"), `prompt of ${gen}\n`);
  }
  writeFile(path.join(outside, "parsed.txt"), "secret\n");
  fs.symlinkSync(outside, path.join(dataRoot, "gens", "essay", "escape"));
  writeFile(
    path.join(dataRoot, "cohorts", "cohort-broken", "membership.csv"),
    `${HEADER}\n${memberRow({ stage: "review", gen_id: "x1" })}\n`,
  );
  writeFile(path.join(dataRoot, "cohorts", "cohort-ragged", "membership.csv"), `${HEADER}\ndraft,x1\n`);

  const draftGens = dynamicPartitions("draft_gens");
  // Like the real gens store IO manager: a draft exists when its parsed.txt does.
  const draftsDir = path.join(dataRoot, "gens", "draft");
  const gensStore: IOManager = {
    handleOutput: () => {},
    loadInput: () => undefined,
    storedPartitions: () =>
      new Set(fs.readdirSync(draftsDir).filter((g) => fs.existsSync(path.join(draftsDir, g, "parsed.txt")))),
  };
  const draftResponse = asset({
    key: "draft_response",
    group: "generation_draft",
    partitions: draftGens,
    io: "gens",
    compute: (ctx) => {
      throw new Error(`LLM response for ${ctx.partitionKey} was truncated`);
    },
  });
  const definitions = defineDefinitions({ assets: [draftResponse], ioManagers: { gens: gensStore } });
  h = await startHarness({ definitions, dataRoot });
  h.instance.storage.addDynamicPartitions("draft_gens", ["d1", "d2", "d3"]);
  await materialize(definitions, {
    selection: "draft_response",
    partitions: { keys: ["d3"] },
    instance: h.instance,
  });
});
afterAll(async () => {
  await h.close();
  fs.rmSync(dataRoot, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

describe("cohorts API", () => {
  it("lists cohorts with their mode and members per stage", async () => {
    const { body } = await h.request("/api/cohorts");
    const cohort = body.cohorts.find((c: { id: string }) => c.id === COHORT);
    expect(cohort.meta).toMatchObject({ id: COHORT, mode: "cartesian" });
    expect(cohort.members).toEqual({ draft: 3, essay: 3, evaluation: 6 });
    expect(cohort.error).toBeNull();
  });

  it("lists a cohort whose membership cannot be read with its error", async () => {
    const { body } = await h.request("/api/cohorts");
    const broken = body.cohorts.find((c: { id: string }) => c.id === "cohort-broken");
    expect(broken.members).toBeNull();
    expect(broken.error).toContain('unknown stage "review"');
  });

  it("reports progress per stage from the gens store and the instance", async () => {
    const { body } = await h.request(`/api/cohorts/${COHORT}`);
    expect(body.progress).toEqual([
      { stage: "draft", asset: "draft_response", members: 3, done: 2, failed: 1, pending: 0 },
      { stage: "essay", asset: null, members: 3, done: 3, failed: 0, pending: 0 },
      { stage: "evaluation", asset: null, members: 6, done: 5, failed: 0, pending: 1 },
    ]);
  });

  it("totals the tokens and cost of the responses the cohort wrote, by stage and model", async () => {
    const written: string[] = [];
    const meta = (gen: string, fields: Record<string, unknown>) => {
      const file = path.join(dataRoot, "gens", gen, "metadata.json");
      writeFile(file, JSON.stringify({ mode: "llm", cohort_id: COHORT, ...fields }));
      written.push(file);
    };
    const usage = (p: number, c: number) => ({ prompt_tokens: p, completion_tokens: c, total_tokens: p + c });
    try {
      meta("draft/d1", { model_id: "gm-1", usage: usage(10, 20), cost_usd: 0.001 });
      meta("draft/d3", { model_id: "gm-1", usage: usage(5, 5), cost_usd: 0.002 });
      meta("evaluation/v1", { model_id: "em-1", usage: usage(7, 3), cost_usd: null });
      // Reused from another cohort: that cohort's cost, not this one's.
      meta("essay/e1", { model_id: "gm-1", usage: usage(100, 100), cost_usd: 1, cohort_id: "other" });
      const { body } = await h.request(`/api/cohorts/${COHORT}`);
      expect(body.cost).toEqual({
        rows: [
          {
            stage: "draft",
            model: "gm-1",
            calls: 2,
            promptTokens: 15,
            completionTokens: 25,
            costUsd: 0.003,
            unpricedCalls: 0,
          },
          {
            stage: "evaluation",
            model: "em-1",
            calls: 1,
            promptTokens: 7,
            completionTokens: 3,
            costUsd: 0,
            unpricedCalls: 1,
          },
        ],
        total: { calls: 3, promptTokens: 22, completionTokens: 28, costUsd: 0.003, unpricedCalls: 1 },
      });
    } finally {
      for (const file of written) fs.rmSync(file);
    }
  });

  it("ranks essays by mean score, ties by essay gen_id, and flags unparseable scores", async () => {
    const { results } = (await h.request(`/api/cohorts/${COHORT}`)).body;
    expect(results.scoredEssays).toBe(2);
    expect(
      results.ranked.map((e: { essayGenId: string; meanScore: number }) => [e.essayGenId, e.meanScore]),
    ).toEqual([
      ["e1", 7],
      ["e2", 7],
    ]);
    expect(results.ranked[0]).toMatchObject({
      rank: 1,
      draftGenId: "d1",
      generationModel: "gm-1",
      essayTemplate: "et1",
    });
    expect(results.invalidScores).toEqual([{ genId: "v5", text: "no score here\n" }]);
  });

  it("groups scores by evaluation template and by generation model for the chart", async () => {
    const { results } = (await h.request(`/api/cohorts/${COHORT}`)).body;
    expect(results.byEvaluationTemplate).toEqual([
      { key: "tplA", n: 2, mean: 7.5, min: 7, max: 8, scores: [8, 7] },
      { key: "tplB", n: 2, mean: 6.5, min: 6, max: 7, scores: [6, 7] },
    ]);
    expect(results.byGenerationModel.map((g: { key: string; mean: number }) => [g.key, g.mean])).toEqual([
      ["gm-1", 7],
      ["gm-2", 7],
    ]);
  });

  it("limits the ranking with top", async () => {
    const { results } = (await h.request(`/api/cohorts/${COHORT}?top=1`)).body;
    expect(results.ranked).toHaveLength(1);
  });

  it("rejects unsafe cohort ids and answers 404 for unknown ones", async () => {
    expect((await h.request("/api/cohorts/..%2Fgens")).status).toBe(400);
    // The partition-key rule the CLI applies to DD_COHORT, with its message word for word.
    const colon = await h.request("/api/cohorts/a%3Ab");
    expect(colon.status).toBe(400);
    expect(colon.body.error.message).toBe(
      'cohort id "a:b" contains ":" (not allowed in file names on Windows)',
    );
    expect((await h.request("/api/cohorts/%20padded%20")).status).toBe(400);
    expect((await h.request("/api/cohorts/cohort-none")).status).toBe(404);
  });

  it("names the file and row of a malformed membership", async () => {
    const res = await h.request("/api/cohorts/cohort-broken");
    expect(res.status).toBe(500);
    expect(res.body.error.message).toContain('unknown stage "review"');
    expect(res.body.error.context).toMatchObject({ row: 2, column: "stage" });
    const ragged = await h.request("/api/cohorts/cohort-ragged");
    expect(ragged.status).toBe(500);
    expect(ragged.body.error.message).toContain("membership.csv");
    expect(ragged.body.error.message).toContain("line 2");
  });
});

describe("generation files", () => {
  it("lists a generation's files with their sizes", async () => {
    const { body } = await h.request("/api/gens/essay/e1");
    expect(body.files).toEqual({
      "prompt.txt": 19,
      "raw.txt": null,
      "parsed.txt": 11,
      "metadata.json": null,
    });
  });

  it("serves a file as sandboxed plain text", async () => {
    const res = await h.request("/api/gens/essay/e1/parsed.txt");
    expect(res.status).toBe(200);
    expect(res.text).toBe("Essay one.\n");
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toContain("sandbox");
  });

  it("answers 404 for a file or generation that does not exist", async () => {
    expect((await h.request("/api/gens/essay/e1/raw.txt")).status).toBe(404);
    expect((await h.request("/api/gens/essay/zz9/parsed.txt")).status).toBe(404);
  });

  it("serves nothing but validated gen_ids, stages and file names", async () => {
    for (const bad of [
      "/api/gens/essay/..%2F..%2Fcohorts/parsed.txt",
      "/api/gens/essay/a%3Ab/parsed.txt",
      "/api/gens/essay/%20e1/parsed.txt",
      "/api/gens/essays/e1/parsed.txt",
      "/api/gens/essay/e1/cohort.yaml",
      "/api/gens/essay/e1/..%2F..%2F..%2Fcohorts%2Fcohort-test01%2Fcohort.yaml",
    ]) {
      expect((await h.request(bad)).status, bad).toBe(400);
    }
  });

  it("refuses a generation directory that is a symlink leading outside the data root", async () => {
    const res = await h.request("/api/gens/essay/escape/parsed.txt");
    expect(res.status).toBe(400);
    expect(res.text).not.toContain("secret");
  });
});
