/**
 * Several real `assets` processes over the same partitions, against a local fake LLM server:
 * each paid call is made once, whatever the interleaving. Every scenario runs several trials
 * (races hide) and counts the work actually done: the server's requests, the files written and
 * the materialization events recorded per step across all runs. The same scenarios run on each
 * instance storage (SQLite, PostgreSQL): see `Backend`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import type { Instance, RunSummary, Storage } from "@daydream/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "../../../src/llm/fake-openai-server.ts";
import {
  BIN,
  type CliResult,
  childEnv,
  collect,
  materializeOk,
  spawnCli,
  writeProjectConfig,
} from "./cli.ts";
import { finishedGenIds, type TempProject, tempProject, widenToDrafts } from "./data-root.ts";

const DRAFT_STAGES = ["--select", "draft_prompt,draft_response", "--missing"];
const FOUR_STAGES = ["--select", "draft_prompt,draft_response,essay_prompt,essay_response", "--missing"];
const BUILD_COHORT = ["--select", "cohort_id,cohort_membership,group:task_definitions"];

/** An instance storage the scenarios run on. */
/** How many times each step was materialized, over every run recorded in the instance. */
export function countMaterializationsPerStep(storage: Storage): Map<string, number> {
  const counts = new Map<string, number>();
  for (const run of storage.listRuns({ limit: 1000 })) {
    for (const e of storage.getEvents(run.runId, { types: ["materialization"] })) {
      const step = `${e.assetKey}[${e.partitionKey ?? ""}]`;
      counts.set(step, (counts.get(step) ?? 0) + 1);
    }
  }
  return counts;
}

export interface Backend {
  /** Settings of a new project's instance (ASSETS_STORAGE) for its CLI processes. */
  storageEnv(project: TempProject): Promise<Record<string, string>>;
  /** Opens a project's instance as its CLI processes see it. */
  open(project: TempProject): Instance;
  /** A fresh trial's instance starts as the prepared project's: copied, or rebuilt from its data. */
  copiesInstance: boolean;
  /** Drops what the project's instance left behind outside its directory. */
  release(project: TempProject): Promise<void>;
  /** Drafts per trial (default 125) and trials of the draft-stage races (default 3). */
  scale?: { drafts: number; trials: number };
}

export function exactlyOnceScenarios(backend: Backend): void {
  const DRAFTS = backend.scale?.drafts ?? 125;
  const TRIALS = backend.scale?.trials ?? 3;
  let server: FakeOpenAiServer;
  let llmEnv: Record<string, string>;
  const storageEnvs = new Map<TempProject, Record<string, string>>();
  /** The project's LLM and storage settings, plus `extra`. */
  const envOf = (project: TempProject, extra: Record<string, string> = {}) => ({
    ...llmEnv,
    ...storageEnvs.get(project),
    ...extra,
  });
  /** A project with its cohort and task tables built: DRAFTS drafts (one template x DRAFTS models). */
  let prepared: TempProject;
  const trials: TempProject[] = [];

  async function newProject(prefix: string): Promise<TempProject> {
    const project = tempProject(prefix);
    writeProjectConfig(project.dir);
    storageEnvs.set(project, await backend.storageEnv(project));
    return project;
  }

  /** A fresh copy of the prepared project (data root and instance), for one trial. */
  async function freshTrial(): Promise<TempProject> {
    const trial = await newProject("exactly-once-");
    trials.push(trial);
    fs.rmSync(trial.dataRoot, { recursive: true });
    fs.cpSync(prepared.dataRoot, trial.dataRoot, { recursive: true });
    if (backend.copiesInstance) fs.cpSync(prepared.home, trial.home, { recursive: true });
    else await materializeOk(trial.dir, BUILD_COHORT, envOf(trial));
    return trial;
  }

  async function cleanup(project: TempProject): Promise<void> {
    project.cleanup();
    await backend.release(project);
  }

  beforeAll(async () => {
    server = await startFakeOpenAiServer({ delayMs: 20 });
    llmEnv = { DD_LLM: "openai", DD_LLM_BASE_URL: server.baseUrl, DD_LLM_API_KEY: "test" };
    prepared = await newProject("exactly-once-base-");
    widenToDrafts(prepared.dataRoot, DRAFTS);
    await materializeOk(prepared.dir, BUILD_COHORT, envOf(prepared));
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    for (const t of [prepared, ...trials]) if (t) await cleanup(t);
  });

  /** Runs `materialize ARGS --json` in `count` processes at once. */
  async function racing(project: TempProject, count: number, args: string[]): Promise<CliResult[]> {
    const children = Array.from({ length: count }, () =>
      spawnCli(project.dir, ["materialize", ...args, "--json"], envOf(project)),
    );
    return Promise.all(children.map(collect));
  }

  function summaries(results: CliResult[]): RunSummary[] {
    for (const r of results) {
      expect(r.stderr).not.toMatch(/database is locked|SQLITE_BUSY|deadlock/i);
      expect(r.code, r.stderr).toBe(0);
    }
    return results.map((r) => JSON.parse(r.stdout) as RunSummary);
  }

  function materializationsPerStep(project: TempProject): Map<string, number> {
    const instance = backend.open(project);
    try {
      return countMaterializationsPerStep(instance.storage);
    } finally {
      instance.close();
    }
  }

  function expectEachStepOnce(
    project: TempProject,
    assets: string[],
    perAsset: Record<string, number>,
  ): void {
    const counts = materializationsPerStep(project);
    for (const asset of assets) {
      const steps = [...counts].filter(([step]) => step.startsWith(`${asset}[`));
      expect(steps, asset).toHaveLength(perAsset[asset]);
      expect(
        steps.filter(([, n]) => n !== 1),
        `${asset} steps materialized more than once`,
      ).toEqual([]);
    }
  }

  async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  describe("several processes, one --missing selection", () => {
    for (const processes of [2, 3, 4]) {
      it(`${processes} processes over ${DRAFTS} drafts make ${DRAFTS} LLM calls, in every one of ${TRIALS} trials`, async () => {
        for (let trial = 0; trial < TRIALS; trial++) {
          const project = await freshTrial();
          const before = server.requests.length;
          const runs = summaries(await racing(project, processes, DRAFT_STAGES));
          expect(server.requests.length - before, `trial ${trial}`).toBe(DRAFTS);
          expect(finishedGenIds(project.dataRoot, "draft")).toHaveLength(DRAFTS);
          expectEachStepOnce(project, ["draft_prompt", "draft_response"], {
            draft_prompt: DRAFTS,
            draft_response: DRAFTS,
          });
          expect(runs.map((r) => r.status)).toEqual(runs.map(() => "succeeded"));
          expect(runs.reduce((n, r) => n + r.failed + r.skipped, 0)).toBe(0);
          await cleanup(project);
        }
      }, 180_000);
    }

    it("4 processes over four stages write every essay, each step computed once (2 trials)", async () => {
      for (let trial = 0; trial < 2; trial++) {
        const project = await freshTrial();
        const before = server.requests.length;
        const runs = summaries(await racing(project, 4, FOUR_STAGES));
        // every draft, and the essays of the `llm` essay template (the other one copies its draft)
        expect(server.requests.length - before, `trial ${trial}`).toBe(2 * DRAFTS);
        expect(finishedGenIds(project.dataRoot, "essay")).toHaveLength(2 * DRAFTS);
        expectEachStepOnce(project, ["draft_prompt", "draft_response", "essay_prompt", "essay_response"], {
          draft_prompt: DRAFTS,
          draft_response: DRAFTS,
          essay_prompt: 2 * DRAFTS,
          essay_response: 2 * DRAFTS,
        });
        expect(runs.reduce((n, r) => n + r.failed + r.skipped, 0)).toBe(0);
        await cleanup(project);
      }
    }, 180_000);
  });

  /**
   * `assets materialize` started under a parent that never reaps it (like a container whose PID 1
   * does not): once killed, it stays a zombie, and a zombie still answers kill(pid, 0).
   */
  function spawnUnreaped(
    project: TempProject,
    args: string[],
    env: Record<string, string>,
  ): { parent: ChildProcess; pid: Promise<number> } {
    const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" ");
    const parent = spawn("sh", ["-c", `${command} >/dev/null 2>&1 & echo $!; exec sleep 120`], {
      cwd: project.dir,
      env: childEnv(env),
      stdio: ["ignore", "pipe", "ignore"],
    });
    const pid = new Promise<number>((resolve) =>
      parent.stdout!.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    return { parent, pid };
  }

  describe("a run killed with SIGKILL and resumed at once", () => {
    for (const [variant, trialCount] of [
      ["a zombie holder (never reaped)", 2],
      ["a reaped holder", 1],
    ] as const) {
      it(`finishes every partition, none computed twice, none left held: ${variant}`, async () => {
        for (let trial = 0; trial < trialCount; trial++) {
          const project = await freshTrial();
          const args = ["materialize", ...DRAFT_STAGES, "--concurrency", "4"];
          const slowServer = await startFakeOpenAiServer({ delayMs: 100 });
          const resumeServer = await startFakeOpenAiServer({ delayMs: 100 });
          const env = envOf(project, { DD_LLM_BASE_URL: slowServer.baseUrl });
          let kill: () => void;
          let zombieParent: ChildProcess | undefined;
          if (variant.startsWith("a zombie")) {
            const started = spawnUnreaped(project, args, env);
            zombieParent = started.parent;
            const pid = await started.pid;
            kill = () => process.kill(pid, "SIGKILL");
          } else {
            const child = spawnCli(project.dir, args, env);
            collect(child);
            kill = () => child.kill("SIGKILL");
          }
          try {
            await waitFor(() => finishedGenIds(project.dataRoot, "draft").length >= 20, 60_000);
            kill();
            // no wait: the resumed run must judge the dead holder by itself
            await new Promise((r) => setTimeout(r, 50));
            const finishedAtKill = finishedGenIds(project.dataRoot, "draft").length;
            expect(finishedAtKill).toBeLessThan(DRAFTS);
            // Its own server: a request the killed run sent just before dying may still arrive late.
            const resumed = await materializeOk(project.dir, DRAFT_STAGES, {
              ...env,
              DD_LLM_BASE_URL: resumeServer.baseUrl,
            });
            expect(resumed).toMatchObject({ status: "succeeded", held: 0, failed: 0, skipped: 0 });
            expect(resumeServer.requests.length).toBe(DRAFTS - finishedAtKill);
            expect(finishedGenIds(project.dataRoot, "draft")).toHaveLength(DRAFTS);
            const instance = backend.open(project);
            const killedRuns = instance.storage.listRuns().filter((r) => r.runId !== resumed.runId);
            instance.close();
            expect(killedRuns.filter((r) => r.status === "started")).toEqual([]);
          } finally {
            zombieParent?.kill("SIGKILL");
            await slowServer.close();
            await resumeServer.close();
          }
          await cleanup(project);
        }
      }, 180_000);
    }
  });

  describe("a claim recorded by a run on another host", () => {
    async function withForeignClaim(
      leaseMs: number,
    ): Promise<{ summary: RunSummary; foreignStatus: string }> {
      const project = await freshTrial();
      const instance = backend.open(project);
      const genId = instance.storage.getDynamicPartitions("draft_gens", { limit: 1 })[0];
      instance.storage.createRun({
        runId: "foreign-run",
        status: "started",
        selection: "draft_response",
        partitionsSummary: "1 key",
        stepCount: 1,
        pid: 4242,
        host: "worker-elsewhere",
        tags: {},
        leaseMs,
      });
      expect(instance.storage.claimStep("draft_response", genId, "foreign-run")).toBe(true);
      instance.close();
      const summary = await materializeOk(
        project.dir,
        ["--select", "draft_prompt,draft_response", "--partition", genId],
        envOf(project),
      );
      const after = backend.open(project);
      const foreignStatus = after.storage.getRun("foreign-run")!.status;
      after.close();
      return { summary, foreignStatus };
    }

    it("is taken over once its lease expired, and that run is marked interrupted", async () => {
      const { summary, foreignStatus } = await withForeignClaim(-1);
      expect(summary).toMatchObject({ status: "succeeded", succeeded: 2, held: 0 });
      expect(foreignStatus).toBe("interrupted");
    }, 60_000);

    it("is reported held, naming the run, host and pid, while its lease is fresh", async () => {
      const { summary, foreignStatus } = await withForeignClaim(60_000);
      expect(summary).toMatchObject({
        status: "succeeded",
        succeeded: 1,
        held: 1,
        heldBy: [{ runId: "foreign-run", host: "worker-elsewhere", pid: 4242, steps: 1 }],
      });
      expect(foreignStatus).toBe("started");
    }, 60_000);
  });
}
