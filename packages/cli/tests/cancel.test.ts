import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, makeProject, type TempProject, waitForOutput } from "./helpers/cli.ts";

describe("Ctrl-C during assets materialize", () => {
  let project: TempProject;
  beforeAll(async () => {
    project = makeProject();
    const add = await project.run(["partitions", "add", "numbers", "1", "2", "3", "4"]);
    expect(add.code).toBe(0);
    const settings = await project.run(["materialize", "--select", "settings"]);
    expect(settings.code).toBe(0);
  });
  afterAll(() => project.cleanup());

  it("a first SIGINT cancels gracefully: summary printed, exit 130, run recorded as canceled", async () => {
    const child = project.spawn(
      ["materialize", "--select", "squared", "--all-partitions", "--concurrency", "2"],
      {
        env: { FIXTURE_SLOW_MS: "30000" },
      },
    );
    const done = collect(child);
    await waitForOutput(child, "stderr", /FIXTURE_STEP_STARTED/);
    child.kill("SIGINT");
    const res = await done;
    expect(res.code).toBe(130);
    expect(res.stderr).toContain("SIGINT: canceling the run");
    expect(res.stdout).toMatch(/Run (\S+) canceled in /);
    expect(res.stdout).toContain("npx assets logs");
    const runId = /Run (\S+) canceled/.exec(res.stdout)![1];

    const runs = await project.json<{ runId: string; status: string }[]>(["runs", "--json"]);
    expect(runs.find((r) => r.runId === runId)?.status).toBe("canceled");
  });

  it("logs --follow prints a live run's log and returns once the run has ended", async () => {
    const child = project.spawn(["materialize", "--select", "squared", "--partition", "2"], {
      env: { FIXTURE_SLOW_MS: "5000" },
    });
    const done = collect(child);
    await waitForOutput(child, "stderr", /FIXTURE_STEP_STARTED/);
    const [live] = await project.json<{ runId: string }[]>(["runs", "--status", "started", "--json"]);
    const followed = await project.run(["logs", live.runId, "--follow"]);
    const run = await done;
    expect(run.code).toBe(0);
    expect(followed.code).toBe(0);
    // the last lines are written when the run ends: following stopped only after that
    expect(followed.stdout).toMatch(/squared\[2\] squaring n=2/);
    expect(followed.stdout).toMatch(/run finished/);
  });

  it("a second SIGINT exits at once with 130 even when steps ignore the cancellation", async () => {
    const child = project.spawn(["materialize", "--select", "squared", "--partition", "1"], {
      env: { FIXTURE_SLOW_MS: "30000", FIXTURE_IGNORE_ABORT: "1" },
    });
    const done = collect(child);
    await waitForOutput(child, "stderr", /FIXTURE_STEP_STARTED/);
    const started = Date.now();
    child.kill("SIGINT");
    await waitForOutput(child, "stderr", /canceling the run/);
    child.kill("SIGINT");
    const res = await done;
    expect(res.code).toBe(130);
    expect(Date.now() - started).toBeLessThan(10_000);
    // the process died mid-run: the next command finds the run and marks it interrupted
    const [latest] = await project.json<{ status: string }[]>(["runs", "--limit", "1", "--json"]);
    expect(latest.status).toBe("interrupted");
  });
});
