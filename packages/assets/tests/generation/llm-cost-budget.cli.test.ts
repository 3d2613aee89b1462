/**
 * Token and cost accounting and budgets through the real `assets` binary against the fake
 * OpenAI server: cost from the price columns of llm_models.csv and from the provider's
 * usage.cost, totals in the run summary, `runs show` and `assets cost`; a budget that stops
 * new calls while others are in flight, the rest resumed by --missing; an unpriced model
 * refused before any call.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "../../src/index.ts";
import { materializeOk, runCli, writeProjectConfig } from "./helpers/cli.ts";
import { readSimpleCsv, type TempProject, tempProject } from "./helpers/data-root.ts";

// gen-small: $1 in, $2 out per million tokens. eval-small: prompts free, $100 per million
// completion tokens, so with DD_LLM_MAX_TOKENS=20 every evaluation reserves and costs exactly
// 20 x $0.0001 = $0.002 (the fake server reports 20 completion tokens).
const PRICED_MODELS = [
  "id,model,provider,display_name,for_generation,for_evaluation,specialization,prompt_usd_per_mtok,completion_usd_per_mtok",
  "gen-small,offline/gen-small,offline,Generator (small),True,False,,1,2",
  "eval-small,offline/eval-small,offline,Evaluator (small),false,true,,0,100",
  "retired-gen,offline/retired,offline,Retired generator,False,False,,,",
  "",
].join("\n");

interface UsageJson {
  rows: { stage: string; model: string; calls: number; costUsd: number; unpricedCalls: number }[];
  total: { calls: number; promptTokens: number; completionTokens: number; costUsd: number };
}

let project: TempProject;
let server: FakeOpenAiServer;
let llmEnv: Record<string, string>;
let drafts: string[];
let evaluations: string[];
let cohortId: string;

function metadataOf(stage: string, genId: string): Record<string, unknown> {
  return JSON.parse(
    fs.readFileSync(path.join(project.dataRoot, "gens", stage, genId, "metadata.json"), "utf8"),
  );
}

beforeAll(async () => {
  project = tempProject("gen-cost-");
  writeProjectConfig(project.dir);
  fs.writeFileSync(path.join(project.dataRoot, "1_raw", "llm_models.csv"), PRICED_MODELS);
  await materializeOk(project.dir, ["--select", "cohort_id,cohort_membership,group:task_definitions"]);
  drafts = readSimpleCsv(`${project.dataRoot}/2_tasks/draft_generation_tasks.csv`).map((r) => r.gen_id);
  evaluations = readSimpleCsv(`${project.dataRoot}/2_tasks/evaluation_tasks.csv`).map((r) => r.gen_id);
  cohortId = readSimpleCsv(`${project.dataRoot}/2_tasks/evaluation_tasks.csv`)[0].cohort_id;
  // Drafts, essays and evaluation prompts offline: only the calls under test go to the server.
  await materializeOk(project.dir, [
    "--select",
    "group:generation_draft,group:generation_essays,evaluation_prompt",
    "--all-partitions",
  ]);
  server = await startFakeOpenAiServer({ delayMs: 300 });
  llmEnv = {
    DD_LLM: "openai",
    DD_LLM_BASE_URL: server.baseUrl,
    DD_LLM_API_KEY: "test-key-0123456789",
    DD_LLM_MAX_TOKENS: "20",
  };
}, 120_000);

afterAll(async () => {
  await server?.close();
  project?.cleanup();
});

describe("token and cost accounting", () => {
  it("prices a response from llm_models.csv when the provider reports no cost", async () => {
    const summary = (await materializeOk(
      project.dir,
      ["--select", "draft_response", "--partition", drafts[0]],
      llmEnv,
    )) as unknown as { llmUsage: UsageJson };
    const meta = metadataOf("draft", drafts[0]);
    expect(meta.usage).toEqual({ prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 });
    // 10 x $1 + 20 x $2 per million tokens
    expect(meta.cost_usd).toBe(0.00005);
    expect(meta.cost_source).toBe("price");
    expect(server.requests.at(-1)?.body).not.toHaveProperty("usage");
    expect(summary.llmUsage.rows).toEqual([
      expect.objectContaining({ stage: "draft", model: "gen-small", calls: 1, costUsd: 0.00005 }),
    ]);
  });

  it("takes the provider's usage.cost when asked for it, and totals it in runs show and assets cost", async () => {
    server.enqueue({
      kind: "ok",
      usage: { prompt_tokens: 100, completion_tokens: 200, total_tokens: 300, cost: 0.0123 },
    });
    const summary = await materializeOk(
      project.dir,
      ["--select", "draft_response", "--partition", drafts[1]],
      { ...llmEnv, DD_LLM_REQUEST_COST: "on" },
    );
    expect(server.requests.at(-1)?.body).toMatchObject({ usage: { include: true } });
    const meta = metadataOf("draft", drafts[1]);
    expect([meta.cost_usd, meta.cost_source]).toEqual([0.0123, "provider"]);

    const shown = await runCli(project.dir, ["runs", "show", summary.runId, "--json"]);
    const run = JSON.parse(shown.stdout) as { llmUsage: UsageJson };
    expect(run.llmUsage.total).toEqual({
      calls: 1,
      promptTokens: 100,
      completionTokens: 200,
      costUsd: 0.0123,
      unpricedCalls: 0,
    });
    const human = await runCli(project.dir, ["runs", "show", summary.runId]);
    expect(human.stdout).toMatch(/draft\s+gen-small\s+1\s+100\s+200\s+\$0\.01/);

    const cost = await runCli(project.dir, ["cost", "--cohort", cohortId, "--json"]);
    expect(cost.code).toBe(0);
    const [cohort] = (JSON.parse(cost.stdout) as { cohorts: (UsageJson & { cohortId: string })[] }).cohorts;
    expect(cohort.cohortId).toBe(cohortId);
    // Both drafts priced as above; the essays were written offline and cost nothing.
    expect(cohort.rows.find((r) => r.stage === "draft")).toMatchObject({ calls: 2, costUsd: 0.01235 });
    expect(cohort.rows.find((r) => r.stage === "essay")).toMatchObject({ costUsd: 0, unpricedCalls: 0 });
  });
});

describe("a budget", () => {
  it("stops starting calls when spent plus in-flight reserves would pass it; in-flight calls finish", async () => {
    const before = server.requests.length;
    const res = await runCli(
      project.dir,
      [
        "materialize",
        "--select",
        "evaluation_response",
        "--all-partitions",
        "--concurrency",
        "4",
        "--budget-usd",
        "0.007",
        "--json",
      ],
      { ...llmEnv, DD_LLM_CONCURRENCY: "4" },
    );
    expect(res.code).toBe(1);
    const summary = JSON.parse(res.stdout) as {
      status: string;
      succeeded: number;
      failed: number;
      skipped: number;
      notStarted: number;
      notStartedReason: string;
      llmUsage: UsageJson;
    };
    // $0.002 each: three fit in $0.007 (started together, all in flight), a fourth never starts.
    expect(server.requests.length - before).toBe(3);
    expect(server.maxInFlight("offline/eval-small")).toBe(3);
    expect(summary).toMatchObject({
      status: "failed",
      succeeded: 3,
      failed: 0,
      notStarted: evaluations.length - 3,
    });
    expect(summary.notStartedReason).toBe("budget of $0.007 reached ($0.006 spent)");
    expect(summary.llmUsage.total.costUsd).toBe(0.006);

    const resumed = await materializeOk(
      project.dir,
      ["--select", "evaluation_response", "--missing", "--budget-usd", "1"],
      llmEnv,
    );
    expect(resumed).toMatchObject({ status: "succeeded", succeeded: evaluations.length - 3, notStarted: 0 });
    expect(server.requests.length - before).toBe(evaluations.length);
    for (const id of evaluations) {
      expect(fs.existsSync(path.join(project.dataRoot, "gens", "evaluation", id, "parsed.txt"))).toBe(true);
    }
  }, 60_000);

  it("is refused before any call when a model it may pay for has no price", async () => {
    const file = path.join(project.dataRoot, "1_raw", "llm_models.csv");
    fs.writeFileSync(file, PRICED_MODELS.replace("false,true,,0,100", "false,true,,,"));
    const before = server.requests.length;
    const res = await runCli(
      project.dir,
      ["materialize", "--select", "draft_response", "--all-partitions", "--budget-usd", "5"],
      llmEnv,
    );
    fs.writeFileSync(file, PRICED_MODELS);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('model "eval-small" has no price');
    expect(res.stderr).toContain("prompt_usd_per_mtok and completion_usd_per_mtok");
    expect(server.requests.length).toBe(before);
  });
});

describe("per-model limits", () => {
  it("tells a user whose --concurrency exceeds the per-model cap, once, at start", async () => {
    const res = await runCli(
      project.dir,
      ["materialize", "--select", "draft_response", "--all-partitions", "--concurrency", "16"],
      llmEnv,
    );
    expect(res.code).toBe(0);
    const notes = res.stderr.split("\n").filter((l) => l.startsWith("note:"));
    expect(notes).toEqual([
      "note: the run computes 16 steps at once, but at most 8 LLM calls per model are in flight " +
        "(DD_LLM_CONCURRENCY, default 8); set DD_LLM_CONCURRENCY=16 to let more run (it adapts down on HTTP 429)",
    ]);
  });
});
