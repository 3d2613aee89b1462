/**
 * The queue executor through the real `assets` binary: `materialize --executor queue` records a
 * run and enqueues its steps, `assets worker` processes compute them, against a local fake LLM
 * server and a fresh PostgreSQL schema per trial. The work done is counted (the server's
 * requests, the files written, the materializations recorded per step), not only statuses.
 */
import type { ChildProcess } from "node:child_process";
import { openInstance } from "@daydream/core";
import { PostgresStorage } from "@daydream/postgres";
import { testSchemaUrl } from "@daydream/postgres/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "../../src/llm/fake-openai-server.ts";
import {
  type CliResult,
  collect,
  materializeOk,
  runCli,
  spawnCli,
  writeProjectConfig,
} from "./helpers/cli.ts";
import { finishedGenIds, type TempProject, tempProject, widenToDrafts } from "./helpers/data-root.ts";
import { countMaterializationsPerStep } from "./helpers/exactly-once-scenarios.ts";

const DRAFTS = 12;
const DRAFT_STAGES = ["--select", "draft_prompt,draft_response", "--missing"];
const BUILD_COHORT = ["--select", "cohort_id,cohort_membership,group:task_definitions"];
/** A dead worker's steps go back to the queue once its lease runs out. */
const FAST_LEASE = { ASSETS_LEASE_SECONDS: "2", ASSETS_HEARTBEAT_SECONDS: "0.5" };

interface WorkerSummary {
  workerRun: string;
  succeeded: number;
  failed: number;
  skipped: number;
  doneElsewhere: number;
  requeued: number;
  ended: string;
}

interface Trial {
  project: TempProject;
  env: Record<string, string>;
  drop(): Promise<void>;
}

let server: FakeOpenAiServer;
const trials: Trial[] = [];

/** A project on its own schema with its cohort and task tables built (in-process). */
async function newTrial(extraEnv: Record<string, string> = {}): Promise<Trial> {
  const project = tempProject("queue-executor-");
  writeProjectConfig(project.dir);
  widenToDrafts(project.dataRoot, DRAFTS);
  const schema = testSchemaUrl(inject("postgresUrl"), "queue_cli");
  const env = {
    DD_LLM: "openai",
    DD_LLM_BASE_URL: server.baseUrl,
    DD_LLM_API_KEY: "test",
    ASSETS_STORAGE: schema.url,
    ...extraEnv,
  };
  const trial: Trial = {
    project,
    env,
    drop: async () => {
      project.cleanup();
      await schema.drop();
    },
  };
  trials.push(trial);
  await materializeOk(project.dir, BUILD_COHORT, env);
  return trial;
}

/** `materialize DRAFT_STAGES --executor queue --detach --json`: the queued run's id. */
async function enqueueDrafts(trial: Trial): Promise<string> {
  const res = await runCli(
    trial.project.dir,
    ["materialize", ...DRAFT_STAGES, "--executor", "queue", "--detach", "--json"],
    trial.env,
  );
  expect(res.code, res.stderr).toBe(0);
  const queued = JSON.parse(res.stdout) as {
    runId: string;
    totalSteps: number;
    enqueued: number;
    status: string;
  };
  expect(queued).toMatchObject({
    totalSteps: 2 * DRAFTS,
    enqueued: DRAFTS,
    queue: "default",
    status: "queued",
  });
  return queued.runId;
}

function workerSummary(res: CliResult): WorkerSummary {
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as WorkerSummary;
}

async function runShow(
  trial: Trial,
  runId: string,
): Promise<{ status: string; steps: { succeeded: number } }> {
  const res = await runCli(trial.project.dir, ["runs", "show", runId, "--json"], trial.env);
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout);
}

/** Materialization events per step over every run of the instance (steps computed twice show 2). */
function materializationsPerStep(trial: Trial): Map<string, number> {
  const instance = openInstance(trial.project.home, {
    storage: new PostgresStorage(trial.env.ASSETS_STORAGE),
  });
  try {
    return countMaterializationsPerStep(instance.storage);
  } finally {
    instance.close();
  }
}

function expectDraftsOnce(trial: Trial): void {
  const counts = materializationsPerStep(trial);
  for (const asset of ["draft_prompt", "draft_response"]) {
    const steps = [...counts].filter(([step]) => step.startsWith(`${asset}[`));
    expect(steps, asset).toHaveLength(DRAFTS);
    expect(
      steps.filter(([, n]) => n !== 1),
      `${asset} steps materialized more than once`,
    ).toEqual([]);
  }
  expect(finishedGenIds(trial.project.dataRoot, "draft")).toHaveLength(DRAFTS);
}

/** The user message of each request `fake` received since `from`, with its model. */
function requestsSince(from: number, fake = server): string[] {
  return fake.requests.slice(from).map((r) => {
    const body = r.body as { messages?: { role: string; content: string }[] };
    return `${r.model}\u0000${body.messages?.at(-1)?.content ?? ""}`;
  });
}

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}:\n${seen}`)),
      timeoutMs,
    );
    const onData = (d: Buffer | string) => {
      seen += d.toString();
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
  });
}

beforeAll(async () => {
  server = await startFakeOpenAiServer({ delayMs: 20 });
});

afterAll(async () => {
  for (const t of trials) await t.drop();
  await server?.close();
});

describe("assets materialize --executor queue and assets worker", () => {
  it(`3 workers --once drain a detached run of ${2 * DRAFTS} steps, each computed once, in every one of 3 trials`, async () => {
    for (let t = 0; t < 3; t++) {
      const trial = await newTrial();
      const runId = await enqueueDrafts(trial);
      const before = server.requests.length;
      const workers = await Promise.all(
        [0, 1, 2].map(() => collect(spawnCli(trial.project.dir, ["worker", "--once", "--json"], trial.env))),
      );
      const summaries = workers.map(workerSummary);
      expect(summaries.map((s) => s.ended)).toEqual(["drained", "drained", "drained"]);
      expect(
        summaries.reduce((n, s) => n + s.succeeded, 0),
        `trial ${t}`,
      ).toBe(2 * DRAFTS);
      expect(summaries.reduce((n, s) => n + s.failed + s.skipped, 0)).toBe(0);
      expect(server.requests.length - before, `trial ${t}: LLM calls`).toBe(DRAFTS);
      expect(new Set(requestsSince(before)).size).toBe(DRAFTS);
      expectDraftsOnce(trial);
      const shown = await runShow(trial, runId);
      expect(shown).toMatchObject({ status: "succeeded", steps: { succeeded: 2 * DRAFTS } });
      const text = await runCli(trial.project.dir, ["runs", "show", runId], trial.env);
      expect(text.stdout).toMatch(new RegExp(`^Run ${runId} succeeded`, "m"));
      await trial.drop();
    }
  }, 300_000);

  it("a worker killed with SIGKILL mid-run: a worker started after it finishes the run, only the killed step computed again", async () => {
    // Slow answers and one step at a time: the kill lands while a step is in flight.
    const slow = await startFakeOpenAiServer({ delayMs: 300 });
    const trial = await newTrial({ ...FAST_LEASE, DD_LLM_BASE_URL: slow.baseUrl });
    const runId = await enqueueDrafts(trial);
    const doomed = spawnCli(trial.project.dir, ["worker", "--concurrency", "1"], trial.env);
    const doomedDone = collect(doomed);
    await waitForOutput(doomed, /✓ draft_response\[\S+\] succeeded[^\n]*\n(.*\n){2}/);
    doomed.kill("SIGKILL");
    const killed = await doomedDone;
    expect(killed.signal).toBe("SIGKILL");
    // Steps it reported done. A step's events are written when its job ends, after its line: the
    // last one reported may not be recorded, and then it is the step it was computing when killed.
    const reported = killed.stderr.split("\n").filter((line) => line.startsWith("✓ ")).length;

    const startedAt = Date.now();
    const rescuer = workerSummary(
      await collect(spawnCli(trial.project.dir, ["worker", "--once", "--json"], trial.env)),
    );
    expect(rescuer.ended).toBe("drained");
    expect(rescuer.succeeded).toBeGreaterThan(0);
    expect(Date.now() - startedAt).toBeLessThan(60_000);
    const shown = await runShow(trial, runId);
    expect(shown).toMatchObject({ status: "succeeded", steps: { succeeded: 2 * DRAFTS } });
    expectDraftsOnce(trial);

    // Every prompt asked once, but for the one the killed worker may have had in flight.
    const requests = requestsSince(0, slow);
    await slow.close();
    const perPrompt = new Map<string, number>();
    for (const r of requests) perPrompt.set(r, (perPrompt.get(r) ?? 0) + 1);
    expect(perPrompt.size).toBe(DRAFTS);
    const repeated = [...perPrompt.values()].filter((n) => n > 1);
    expect(repeated.length).toBeLessThanOrEqual(1);
    expect(repeated.every((n) => n === 2)).toBe(true);
    expect(requests.length).toBeGreaterThanOrEqual(DRAFTS);
    expect(requests.length).toBeLessThanOrEqual(DRAFTS + 1);
    // The rescuer computed the rest, and of what the killed worker reported at most that last step.
    expect(rescuer.succeeded + rescuer.doneElsewhere).toBeGreaterThanOrEqual(2 * DRAFTS - reported);
    expect(rescuer.succeeded + rescuer.doneElsewhere).toBeLessThanOrEqual(2 * DRAFTS - reported + 1);
    await trial.drop();
  }, 180_000);

  it("assets runs cancel removes the queued jobs: a worker started after computes nothing, the run is canceled", async () => {
    const trial = await newTrial();
    const runId = await enqueueDrafts(trial);
    const canceled = await runCli(trial.project.dir, ["runs", "cancel", runId, "--json"], trial.env);
    expect(canceled.code, canceled.stderr).toBe(0);
    expect(JSON.parse(canceled.stdout)).toEqual({ runId, canceledSteps: 2 * DRAFTS, removedJobs: DRAFTS });

    const before = server.requests.length;
    const worker = workerSummary(
      await collect(spawnCli(trial.project.dir, ["worker", "--once", "--json"], trial.env)),
    );
    expect(worker).toMatchObject({ succeeded: 0, failed: 0, skipped: 0, doneElsewhere: 0, ended: "drained" });
    expect(server.requests.length).toBe(before);
    expect(finishedGenIds(trial.project.dataRoot, "draft")).toEqual([]);
    expect((await runShow(trial, runId)).status).toBe("canceled");

    const again = await runCli(trial.project.dir, ["runs", "cancel", runId], trial.env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`run ${runId} already ended canceled`);
    await trial.drop();
  }, 120_000);

  it("follow mode: materialize --executor queue with a worker running prints the summary and exits 0; Ctrl-C only stops following", async () => {
    const trial = await newTrial();
    const worker = spawnCli(trial.project.dir, ["worker"], trial.env);
    const workerDone = collect(worker);
    await waitForOutput(worker, /until SIGTERM or Ctrl-C/);
    const before = server.requests.length;
    const followed = await runCli(
      trial.project.dir,
      ["materialize", ...DRAFT_STAGES, "--executor", "queue"],
      trial.env,
    );
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stdout).toMatch(/^Run \S+ succeeded in /m);
    expect(followed.stdout).toContain(
      `${2 * DRAFTS} succeeded, 0 failed, 0 skipped (of ${2 * DRAFTS} steps)`,
    );
    expect(followed.stdout).toMatch(/LLM usage:/);
    expect(followed.stdout).toMatch(
      /^Logs: on the machines of the workers that ran its steps, \S+\.jsonl under/m,
    );
    expect(followed.stderr).toContain("Ctrl-C stops following, not the run");
    expect(server.requests.length - before).toBe(DRAFTS);
    expectDraftsOnce(trial);

    worker.kill("SIGTERM");
    const stopped = await workerDone;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toMatch(
      new RegExp(
        `^Worker \\S+ ended \\(stopped\\): ${2 * DRAFTS} steps computed: ${2 * DRAFTS} succeeded, 0 failed, 0 skipped`,
        "m",
      ),
    );
    expect(stopped.stderr).toMatch(/✓ draft_response\[\S+\] succeeded in \S+ \S+ {2}run \S+/);

    // No worker now: following waits; SIGINT stops following, the run stays queued.
    const follower = spawnCli(
      trial.project.dir,
      ["materialize", "--select", "essay_prompt,essay_response", "--missing", "--executor", "queue"],
      trial.env,
    );
    const followerDone = collect(follower);
    const note = await waitForOutput(follower, /Run \S+ queued on default/);
    const queuedId = note.split(" ")[1];
    follower.kill("SIGINT");
    const interrupted = await followerDone;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain(
      `SIGINT: stopped following run ${queuedId}; it goes on in the workers`,
    );
    expect(interrupted.stderr).toContain(`npx assets runs cancel ${queuedId}`);
    expect((await runShow(trial, queuedId)).status).toBe("queued");
    await trial.drop();
  }, 180_000);
});
