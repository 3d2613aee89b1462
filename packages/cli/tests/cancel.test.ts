import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, makeProject, type TempProject, waitForOutput } from "./helpers/cli.ts";

interface Summary {
  runId: string;
  status: string;
  succeeded: number;
  failed: number;
  canceled: number;
  skipped: number;
}

/** Everything a terminal child prints (stdout and stderr share the terminal), and its exit code. */
function terminalOutput(child: ChildProcess): { text: () => string; exit: Promise<number | null> } {
  let text = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    text += d;
  });
  const exit = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code));
  });
  return { text: () => text, exit };
}

describe("Ctrl-C during assets materialize", () => {
  let project: TempProject;
  beforeAll(async () => {
    project = makeProject();
    const add = await project.run(["partitions", "add", "numbers", "1", "2", "3", "4", "5", "6", "7", "8"]);
    expect(add.code).toBe(0);
    // Upstream materialized first: a run given partition keys also builds their missing parents.
    const upstream = await project.run(["materialize", "--select", "settings,register_numbers"]);
    expect(upstream.code).toBe(0);
  });
  afterAll(() => project.cleanup());

  it("a first SIGINT cancels gracefully: summary printed (human or --json), exit 130, run recorded as canceled, running steps canceled rather than failed", async () => {
    // distinct partitions: two runs may not claim the same steps
    const env = { FIXTURE_SLOW_MS: "30000" };
    const human = project.spawn(
      ["materialize", "--select", "squared", "--partitions", "1,2,3", "--concurrency", "2"],
      { env },
    );
    const json = project.spawn(["materialize", "--select", "squared", "--partitions", "4,5", "--json"], {
      env,
    });
    const [humanDone, jsonDone] = [collect(human), collect(json)];
    await Promise.all([
      waitForOutput(human, "stderr", /FIXTURE_STEP_STARTED/),
      waitForOutput(json, "stderr", /FIXTURE_STEP_STARTED/),
    ]);
    human.kill("SIGINT");
    json.kill("SIGINT");
    const [res, jsonRes] = await Promise.all([humanDone, jsonDone]);

    expect(res.code).toBe(130);
    expect(res.stderr).toContain("SIGINT: canceling the run");
    expect(res.stdout).toMatch(/Run (\S+) canceled in /);
    // the steps Ctrl-C interrupted are no failures: no "Failures:" list either
    expect(res.stdout).toMatch(/ 0 succeeded, 0 failed, [12] canceled, [12] skipped \(of 3 steps\)/);
    expect(res.stdout).not.toContain("Failures:");
    expect(res.stdout).toContain("npx assets logs");
    const runId = /Run (\S+) canceled/.exec(res.stdout)![1];

    expect(jsonRes.code).toBe(130);
    const summary = JSON.parse(jsonRes.stdout) as Summary & { failures: unknown[] };
    expect(summary).toMatchObject({ status: "canceled", succeeded: 0, failed: 0, failures: [] });
    expect(summary.canceled).toBeGreaterThanOrEqual(1);
    expect(summary.canceled + summary.skipped).toBe(2);

    const runs = await project.json<{ runId: string; status: string }[]>(["runs", "--json"]);
    expect(runs.find((r) => r.runId === runId)?.status).toBe("canceled");
    expect(runs.find((r) => r.runId === summary.runId)?.status).toBe("canceled");

    // runs show tells canceled steps from skipped ones, and a canceled partition is not "failed"
    const shown = await project.json<{ steps: { failed: number; canceled: number; skipped: number } }>([
      "runs",
      "show",
      summary.runId,
      "--json",
    ]);
    expect(shown.steps).toMatchObject({ failed: 0, canceled: summary.canceled, skipped: summary.skipped });
    const squared = await project.json<{ partitionCounts: { failed: number } }>([
      "show",
      "squared",
      "--json",
    ]);
    expect(squared.partitionCounts.failed).toBe(0);
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
    const child = project.spawn(["materialize", "--select", "squared", "--partition", "1", "--json"], {
      env: { FIXTURE_SLOW_MS: "30000", FIXTURE_IGNORE_ABORT: "1" },
    });
    const done = collect(child);
    await waitForOutput(child, "stderr", /FIXTURE_STEP_STARTED/);
    // let the recorder write the step_start event (it batches for up to 100 ms)
    await sleep(400);
    const started = Date.now();
    child.kill("SIGINT");
    await waitForOutput(child, "stderr", /canceling the run/);
    child.kill("SIGINT");
    const res = await done;
    expect(res.code).toBe(130);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(res.stderr).toMatch(/SIGINT again: exiting at once; run \S+ is left unfinished/);
    // --json still gets its one document, naming the run left behind
    const doc = JSON.parse(res.stdout) as { error: { code: string; context: { run: string } } };
    expect(doc.error.code).toBe("INTERRUPTED");
    // the process died mid-run: the next command finds the run and marks it interrupted
    const [latest] = await project.json<{ runId: string; status: string }[]>([
      "runs",
      "--limit",
      "1",
      "--json",
    ]);
    expect(latest).toEqual(expect.objectContaining({ runId: doc.error.context.run, status: "interrupted" }));
    // the started step is reported as cut short, not as running
    const shown = await project.run(["runs", "show", latest.runId]);
    expect(shown.stdout).toContain("steps: 1 planned, 0 succeeded, 0 failed, 0 skipped, 1 unfinished");
  });

  it("on a terminal shows a progress bar (done, failed, total, rate, ETA) and Ctrl-C cancels with the summary", async () => {
    const child = project.spawnInTerminal(
      ["materialize", "--select", "squared", "--partitions", "1,2,3,4,5,6", "--concurrency", "1"],
      { env: { FIXTURE_SLOW_MS: "700" } },
    );
    const out = terminalOutput(child);
    await waitForOutput(child, "stdout", /\d+% \| [1-9] done, 0 failed \/ 6 \| [\d.]+\/s \| ETA \d/);
    child.stdin!.write("\x03"); // Ctrl-C typed at the terminal
    expect(await out.exit).toBe(130);
    const text = out.text();
    expect(text).toContain("SIGINT: canceling the run");
    expect(text).toMatch(/Run \S+ canceled in /);
    expect(text).toMatch(/[1-5] succeeded, 0 failed, (1 canceled, )?[0-5] skipped \(of 6 steps\)/);
    // a bar, not a line per step
    expect(text).not.toMatch(/✓ squared\[1\]/);
    // the bar stops where the work stopped and says why, instead of jumping to its end
    expect(text).toMatch(/\d+% \| [1-5] done, 0 failed(, 1 canceled)? \/ 6 \| run canceled/);
    expect(text).not.toContain("100% |");
    expect(text).not.toContain("ETA 0 ms");
  });

  it("without a terminal, a large run's last progress line counts canceled steps and gives no ETA", async () => {
    const keys = Array.from({ length: 60 }, (_, i) => String(100 + i));
    expect((await project.run(["partitions", "add", "numbers", ...keys])).code).toBe(0);
    const child = project.spawn(
      ["materialize", "--select", "squared", "--partitions", keys.join(","), "--concurrency", "1"],
      { env: { FIXTURE_SLOW_MS: "30000" } },
    );
    const done = collect(child);
    await waitForOutput(child, "stderr", /FIXTURE_STEP_STARTED/);
    child.kill("SIGINT");
    const res = await done;
    expect(res.code).toBe(130);
    const progress = res.stderr.split("\n").filter((line) => line.startsWith("progress:"));
    expect(progress.at(-1)).toBe(
      "progress: 0/60 steps, 0 succeeded, 0 failed, 1 canceled, 59 skipped, run canceled",
    );
    expect(res.stdout).toContain("0 succeeded, 0 failed, 1 canceled, 59 skipped (of 60 steps)");
  });
});
