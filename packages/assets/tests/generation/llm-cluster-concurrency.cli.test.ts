/**
 * DD_LLM_CLUSTER_CONCURRENCY through the real `assets` binary: three processes running the same
 * `--missing` selection on one SQLite instance share out its drafts (one model) through their
 * claims, each free to send 8 calls at once (DD_LLM_CONCURRENCY, --concurrency), yet the fake
 * LLM server never has more than the cluster cap in flight. Without the cap it has more (the
 * control), so the cap is what holds them. A bad value is refused before any call.
 */
import fs from "node:fs";
import path from "node:path";
import { openInstance, type RunSummary } from "@daydream/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "../../src/llm/fake-openai-server.ts";
import {
  type CliResult,
  collect,
  materializeOk,
  runCli,
  spawnCli,
  writeProjectConfig,
} from "./helpers/cli.ts";
import { finishedGenIds, type TempProject, tempProject } from "./helpers/data-root.ts";

/** 2 active draft templates x 12 replicates, all written by the fixture's one generation model. */
const DRAFTS = 24;
const MODEL = "offline/gen-small";
const PROCESSES = 3;
const CLUSTER_CAP = 2;
const DRAFT_STAGES = ["--select", "draft_prompt,draft_response", "--missing", "--concurrency", "8"];

let prepared: TempProject;
const projects: TempProject[] = [];

beforeAll(async () => {
  prepared = tempProject("llm-cluster-base-");
  writeProjectConfig(prepared.dir);
  fs.writeFileSync(
    path.join(prepared.dataRoot, "1_raw", "replication_config.csv"),
    "stage,replicates\ndraft,12\nessay,1\nevaluation,1\n",
  );
  await materializeOk(prepared.dir, ["--select", "cohort_id,cohort_membership,group:task_definitions"]);
}, 60_000);

afterAll(() => {
  for (const p of [prepared, ...projects]) p?.cleanup();
});

/** A copy of the prepared project (data root and instance): no draft written yet. */
function freshProject(): TempProject {
  const project = tempProject("llm-cluster-");
  projects.push(project);
  writeProjectConfig(project.dir);
  fs.rmSync(project.dataRoot, { recursive: true });
  fs.cpSync(prepared.dataRoot, project.dataRoot, { recursive: true });
  fs.cpSync(prepared.home, project.home, { recursive: true });
  return project;
}

/** How many drafts each run of the project wrote (draft_response materializations). */
function draftsPerRun(project: TempProject): number[] {
  const instance = openInstance(project.home);
  try {
    return instance.storage
      .listRuns({ limit: 100 })
      .map(
        (run) =>
          instance.storage
            .getEvents(run.runId, { types: ["materialization"] })
            .filter((e) => e.assetKey === "draft_response").length,
      )
      .filter((n) => n > 0);
  } finally {
    instance.close();
  }
}

/**
 * Runs the drafts in `PROCESSES` processes at once against a fresh fake server (each answer takes
 * 150 ms, so calls overlap); returns the server's peak of requests in flight and how many drafts
 * each run that wrote any wrote.
 */
async function racingDrafts(env: Record<string, string>): Promise<{ peak: number; writers: number[] }> {
  const project = freshProject();
  const server: FakeOpenAiServer = await startFakeOpenAiServer({ delayMs: 150 });
  try {
    const llmEnv = {
      DD_LLM: "openai",
      DD_LLM_BASE_URL: server.baseUrl,
      DD_LLM_API_KEY: "test",
      DD_LLM_CONCURRENCY: "8",
      ...env,
    };
    const results: CliResult[] = await Promise.all(
      Array.from({ length: PROCESSES }, () =>
        collect(spawnCli(project.dir, ["materialize", ...DRAFT_STAGES, "--json"], llmEnv)),
      ),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const runs = results.map((r) => JSON.parse(r.stdout) as RunSummary);
    // every draft written, each by one call: the processes shared the work out
    expect(server.requests).toHaveLength(DRAFTS);
    expect(server.requests.every((r) => r.model === MODEL)).toBe(true);
    expect(finishedGenIds(project.dataRoot, "draft")).toHaveLength(DRAFTS);
    expect(runs.map((r) => r.status)).toEqual(runs.map(() => "succeeded"));
    return { peak: server.maxInFlight(MODEL), writers: draftsPerRun(project) };
  } finally {
    await server.close();
  }
}

describe("DD_LLM_CLUSTER_CONCURRENCY", () => {
  it(`keeps ${PROCESSES} processes on one instance to ${CLUSTER_CAP} calls in flight per model together, in each of 3 contended trials`, async () => {
    let contended = 0;
    for (let trial = 1; trial <= 6 && contended < 3; trial++) {
      const { peak, writers } = await racingDrafts({ DD_LLM_CLUSTER_CONCURRENCY: String(CLUSTER_CAP) });
      expect(peak, `trial ${trial}`).toBeLessThanOrEqual(CLUSTER_CAP);
      expect(writers.reduce((a, b) => a + b, 0)).toBe(DRAFTS);
      // On a loaded machine one process may start after the others took every draft: such a
      // trial says nothing about the cap across processes, so another one runs instead.
      if (writers.length < 2) continue;
      expect(peak, `trial ${trial}: the cap was reached`).toBe(CLUSTER_CAP);
      contended++;
    }
    expect(contended, "trials in which several processes made calls").toBe(3);
  }, 480_000);

  it("without it, the same processes have more calls in flight (the control)", async () => {
    const { peak } = await racingDrafts({});
    expect(peak).toBeGreaterThan(CLUSTER_CAP);
  }, 120_000);

  it("refuses a value that is not a whole number >= 1, naming the variable and the fix", async () => {
    const project = freshProject();
    const res = await runCli(project.dir, ["materialize", ...DRAFT_STAGES], {
      DD_LLM: "openai",
      DD_LLM_BASE_URL: "http://127.0.0.1:9/v1",
      DD_LLM_API_KEY: "test",
      DD_LLM_CLUSTER_CONCURRENCY: "two",
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(
      'DD_LLM_CLUSTER_CONCURRENCY must be a whole number >= 1 (LLM calls in flight per model across every process sharing the instance), got "two"',
    );
    expect(res.stderr).toMatch(/DD_LLM_CLUSTER_CONCURRENCY=8 for your provider's limit, or unset it/);
    expect(finishedGenIds(project.dataRoot, "draft")).toEqual([]);
  }, 60_000);
});
