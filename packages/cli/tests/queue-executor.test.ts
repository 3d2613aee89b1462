/**
 * The queue executor's commands through the binary, on the fixture definitions: what they
 * refuse (SQLite storage, options that only mean something in-process), how a worker stops on
 * SIGTERM (steps in flight finish within the grace period, or go back to the queue), a queued
 * run's failure when followed, and `assets runs cancel` on runs that are not queued.
 */
import fs from "node:fs";
import path from "node:path";
import { testSchemaUrl } from "@daydream/postgres/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { collect, makeProject, type TempProject, waitForOutput } from "./helpers/cli.ts";

interface WorkerSummary {
  succeeded: number;
  failed: number;
  skipped: number;
  requeued: number;
  ended: string;
}

describe("the queue executor on SQLite storage", () => {
  let project: TempProject;
  beforeAll(() => {
    project = makeProject({ prefix: "assets-queue-sqlite-" });
  });
  afterAll(() => project.cleanup());

  it("materialize --executor queue, executor: queue in assets.yaml and assets worker fail with the queue's error, exit 2", async () => {
    const res = await project.run(["materialize", "--select", "settings", "--executor", "queue"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("error: the queue executor needs the instance on PostgreSQL; it is ");
    expect(res.stderr).toContain("hint: set ASSETS_STORAGE=postgres://");
    expect(res.stderr).toContain("`npx assets dev postgres` starts a local one");
    expect(res.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(fs.existsSync(path.join(project.dir, "data/out"))).toBe(false);

    const json = await project.run(["materialize", "--select", "settings", "--executor", "queue", "--json"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: "QUEUE_NEEDS_POSTGRES" } });

    const worker = await project.run(["worker", "--once"]);
    expect(worker.code).toBe(2);
    expect(worker.stderr).toContain("error: assets worker needs the instance on PostgreSQL");

    const configured = makeProject({
      prefix: "assets-queue-config-",
      config: `definitions: ${JSON.stringify(path.resolve(import.meta.dirname, "fixtures/definitions.ts"))}\nexecutor: queue\nenv:\n  DD_DATA_ROOT: data\n`,
    });
    try {
      const fromConfig = await configured.run(["materialize", "--select", "settings"]);
      expect(fromConfig.code).toBe(2);
      expect(fromConfig.stderr).toContain("the queue executor needs the instance on PostgreSQL");
      const flagWins = await configured.run([
        "materialize",
        "--select",
        "settings",
        "--executor",
        "in-process",
      ]);
      expect(flagWins.code, flagWins.stderr).toBe(0);
    } finally {
      configured.cleanup();
    }
  });

  it("refuses options that only mean something in-process, and queue options without the queue, exit 2", async () => {
    const refused: [string[], RegExp][] = [
      [["--fail-fast"], /--fail-fast does not apply to --executor queue\n {2}hint: leave it out/],
      [["--concurrency", "4"], /--concurrency does not apply .*\n {2}hint: .*assets worker --concurrency N/],
      [["--budget-usd", "2"], /--budget-usd does not apply .*\n {2}hint: .*DD_LLM_BUDGET_USD in a worker's/],
      [["--wait-for-held"], /--wait-for-held does not apply to --executor queue/],
    ];
    for (const [flags, message] of refused) {
      const res = await project.run(["materialize", "--select", "settings", "--executor", "queue", ...flags]);
      expect(res.code, flags.join(" ")).toBe(2);
      expect(res.stderr).toMatch(message);
    }
    for (const flags of [["--detach"], ["--queue", "gpu"]]) {
      const res = await project.run(["materialize", "--select", "settings", ...flags]);
      expect(res.code, flags.join(" ")).toBe(2);
      expect(res.stderr).toContain(`error: ${flags[0]} needs --executor queue`);
    }
    const badExecutor = await project.run(["materialize", "--select", "settings", "--executor", "threads"]);
    expect(badExecutor.code).toBe(2);
    expect(badExecutor.stderr).toMatch(/Allowed choices are in-process, queue/);
  });

  it("assets runs cancel: an unknown run and a finished in-process run exit 2 with what to do", async () => {
    const run = await project.json<{ runId: string }>(["materialize", "--select", "settings", "--json"]);
    const finished = await project.run(["runs", "cancel", run.runId]);
    expect(finished.code).toBe(2);
    expect(finished.stderr).toContain(`error: run ${run.runId} already ended succeeded`);
    const unknown = await project.run(["runs", "cancel", "no-such-run"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown run "no-such-run"');
  });
});

describe("the queue executor on PostgreSQL", () => {
  let project: TempProject;
  let schema: ReturnType<typeof testSchemaUrl>;
  let env: Record<string, string>;

  beforeAll(async () => {
    schema = testSchemaUrl(inject("postgresUrl"), "queue_cli_fixture");
    env = { ASSETS_STORAGE: schema.url, FIXTURE_NUMBERS: "1,2,3,4,5,6,13,66" };
    project = makeProject({ prefix: "assets-queue-pg-" });
    const setup = await project.run(["materialize", "--select", "settings,register_numbers"], { env });
    expect(setup.code, setup.stderr).toBe(0);
  });
  afterAll(async () => {
    project.cleanup();
    await schema.drop();
  });

  const enqueue = async (partitions: string, extra: string[] = []): Promise<string> => {
    const args = ["materialize", "--select", "squared", "--partitions", partitions, "--executor", "queue"];
    const queued = await project.json<{ runId: string }>([...args, "--detach", "--json", ...extra], { env });
    return queued.runId;
  };
  const statusOf = async (runId: string) =>
    (await project.json<{ status: string }>(["runs", "show", runId, "--json"], { env })).status;

  it("SIGTERM: the step in flight finishes within the grace period, the worker takes no new one and exits 0", async () => {
    const runId = await enqueue("1,2");
    const worker = project.spawn(["worker", "--concurrency", "1", "--json"], {
      env: { ...env, FIXTURE_SLOW_MS: "1500" },
    });
    const done = collect(worker);
    await waitForOutput(worker, "stderr", /FIXTURE_STEP_STARTED/);
    worker.kill("SIGTERM");
    const res = await done;
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain("SIGTERM: stopping: no new steps; those in flight get up to 30 s to finish");
    expect(res.stderr).toMatch(/✓ squared\[[12]\] succeeded in 1\.\d s {2}run /);
    expect(JSON.parse(res.stdout)).toMatchObject({ succeeded: 1, failed: 0, requeued: 0, ended: "stopped" });
    expect(await statusOf(runId)).toBe("started");

    const rest = await project.json<WorkerSummary>(["worker", "--once", "--json"], { env });
    expect(rest).toMatchObject({ succeeded: 1, failed: 0, ended: "drained" });
    expect(await statusOf(runId)).toBe("succeeded");

    // Its log is split between the workers' machines: no single host is named.
    const shown = await project.run(["runs", "show", runId], { env });
    expect(shown.stdout).toContain(
      `Logs: on the machines of the workers that ran its steps, ${runId}.jsonl under each one's $ASSETS_HOME/logs`,
    );
    expect(await project.json(["runs", "show", runId, "--json"], { env })).toMatchObject({ logHost: null });
  });

  it("SIGTERM with --grace-seconds 0.2: the step in flight is stopped and handed back; another worker computes it", async () => {
    const runId = await enqueue("3");
    const worker = project.spawn(["worker", "--grace-seconds", "0.2", "--json"], {
      env: { ...env, FIXTURE_SLOW_MS: "30000" },
    });
    const done = collect(worker);
    await waitForOutput(worker, "stderr", /FIXTURE_STEP_STARTED 3/);
    worker.kill("SIGTERM");
    const res = await done;
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/↺ squared\[3\] handed back to the queue: stopped by the worker's shutdown/);
    expect(JSON.parse(res.stdout)).toMatchObject({ succeeded: 0, failed: 0, requeued: 1, ended: "stopped" });

    const rest = await project.json<WorkerSummary>(["worker", "--once", "--json"], { env });
    expect(rest).toMatchObject({ succeeded: 1, ended: "drained" });
    const shown = await project.json<{ status: string; steps: { succeeded: number; failed: number } }>(
      ["runs", "show", runId, "--json"],
      { env },
    );
    expect(shown).toMatchObject({ status: "succeeded", steps: { succeeded: 1, failed: 0 } });
  });

  it("a followed run whose step fails exits 1 with the failure; the worker reports it and exits 0", async () => {
    const follower = project.spawn(
      ["materialize", "--select", "squared", "--partitions", "4,13", "--executor", "queue"],
      { env },
    );
    const followed = collect(follower);
    await waitForOutput(follower, "stderr", /Run \S+ queued on default/);
    const worker = await project.run(["worker", "--once"], { env });
    expect(worker.code, worker.stderr).toBe(0);
    expect(worker.stderr).toMatch(/✗ squared\[13\] failed in \S+ \S+: unlucky number 13 {2}run /);
    expect(worker.stdout).toMatch(
      /ended \(the queue is empty\): 2 steps computed: 1 succeeded, 1 failed, 0 skipped/,
    );
    const res = await followed;
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^Run \S+ failed in /m);
    expect(res.stdout).toContain("1 succeeded, 1 failed, 0 skipped (of 2 steps)");
    expect(res.stdout).toContain("✗ squared[13]: unlucky number 13");
  });

  it("a followed run whose only failure is bad input exits 2, as in-process", async () => {
    const follower = project.spawn(
      ["materialize", "--select", "squared", "--partitions", "66", "--executor", "queue"],
      { env },
    );
    const followed = collect(follower);
    await waitForOutput(follower, "stderr", /Run \S+ queued on default/);
    const worker = await project.run(["worker", "--once"], { env });
    expect(worker.code, worker.stderr).toBe(0);
    const res = await followed;
    expect(res.code).toBe(2);
    expect(res.stdout).toContain("0 succeeded, 1 failed, 0 skipped (of 1 step)");
    expect(res.stdout).toContain("hint: pick another partition");
    expect(res.stdout).toContain("✗ squared[66]: 66 is not a number this fixture accepts");
    const inProcess = await project.run(["materialize", "--select", "squared", "--partitions", "66"], {
      env,
    });
    expect(inProcess.code).toBe(2);
  });

  it("workers take only their queue's steps; a bad queue name is refused", async () => {
    const runId = await enqueue("5", ["--queue", "gpu"]);
    const other = await project.json<WorkerSummary>(["worker", "--once", "--json"], { env });
    expect(other).toMatchObject({ succeeded: 0, ended: "drained" });
    expect(await statusOf(runId)).toBe("queued");
    const gpu = await project.json<WorkerSummary>(["worker", "--once", "--queue", "gpu", "--json"], { env });
    expect(gpu).toMatchObject({ succeeded: 1, ended: "drained" });
    expect(await statusOf(runId)).toBe("succeeded");

    const bad = await project.run(
      ["materialize", "--select", "squared", "--partitions", "6", "--executor", "queue", "--queue", "a b"],
      { env },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: queue name "a b" is not valid');
  });

  it("a worker that sees another data root than the instance's runs is refused before any step, exit 2", async () => {
    const elsewhere = makeProject({ prefix: "assets-queue-elsewhere-" });
    try {
      fs.mkdirSync(path.join(elsewhere.dir, "data"));
      const res = await elsewhere.run(["worker", "--once"], { env });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(`sees a different data root at ${path.join(elsewhere.dir, "data")}`);
      expect(res.stderr).toContain("hint: every machine must see the same files");
      expect(fs.existsSync(path.join(project.dir, "data", ".assets-shared-root"))).toBe(true);
    } finally {
      elsewhere.cleanup();
    }
  });

  it("assets runs cancel on a run materialize is running in its process says how to stop it, exit 2", async () => {
    const running = project.spawn(["materialize", "--select", "squared", "--partitions", "6", "--json"], {
      env: { ...env, FIXTURE_SLOW_MS: "30000" },
    });
    const done = collect(running);
    await waitForOutput(running, "stderr", /FIXTURE_STEP_STARTED 6/);
    const runs = await project.json<{ runId: string; status: string; pid: number }[]>(
      ["runs", "--status", "started", "--json"],
      { env },
    );
    const inProcess = runs.find((r) => r.pid === running.pid);
    expect(inProcess).toBeDefined();
    const res = await project.run(["runs", "cancel", inProcess!.runId], { env });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`no queued run ${inProcess!.runId} (it ran in a process, not on the queue)`);
    expect(res.stderr).toContain(`hint: stop it where it runs (Ctrl-C, or kill -INT ${running.pid} on `);
    running.kill("SIGINT");
    expect((await done).code).toBe(130);
    // Ctrl-C on PostgreSQL storage cancels gracefully: the run is recorded canceled.
    expect(await statusOf(inProcess!.runId)).toBe("canceled");
  });

  it("--config run config reaches the workers; config that does not fit is refused at enqueue, naming the file", async () => {
    fs.writeFileSync(path.join(project.dir, "run.yaml"), "assets:\n  settings:\n    offset: 7\n");
    const runId = (
      await project.json<{ runId: string }>(
        [
          "materialize",
          "--select",
          "settings",
          "--config",
          "run.yaml",
          "--executor",
          "queue",
          "--detach",
          "--json",
        ],
        { env },
      )
    ).runId;
    const worker = await project.json<WorkerSummary>(["worker", "--once", "--json"], { env });
    expect(worker).toMatchObject({ succeeded: 1, failed: 0 });
    expect(await statusOf(runId)).toBe("succeeded");
    expect(JSON.parse(fs.readFileSync(path.join(project.dir, "data/out/settings.json"), "utf8"))).toEqual({
      offset: 7,
    });

    fs.writeFileSync(path.join(project.dir, "bad.yaml"), "assets:\n  setings:\n    offset: 1\n");
    const bad = await project.run(
      ["materialize", "--select", "settings", "--config", "bad.yaml", "--executor", "queue", "--detach"],
      { env },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("setings");
    expect(bad.stderr).toContain(path.join(project.dir, "bad.yaml"));
  });
});
