import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, type TempProject } from "./helpers/cli.ts";

const HINT_DEFINITIONS = path.resolve(import.meta.dirname, "fixtures/hint-definitions.ts");

interface Failure {
  assetKey: string;
  partitionKey?: string | null;
  error: string;
  hint?: string;
}

describe("the end-of-run summary of failed steps", () => {
  let project: TempProject;
  beforeAll(() => {
    project = makeProject({ definitions: HINT_DEFINITIONS, prefix: "assets-cli-hints-" });
  });
  afterAll(() => project.cleanup());

  it("prints each failure's hint under its first error line, and no hint line for an error without one", async () => {
    const res = await project.run(["materialize", "--select", "*"]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("1 succeeded, 2 failed, 0 skipped (of 3 steps)");
    const failures = res.stdout.slice(res.stdout.indexOf("Failures:\n"), res.stdout.indexOf("Logs: "));
    expect(failures).toContain(
      "  ✗ needs_setup: setup.txt is missing\n" +
        "      hint: run the setup step first\n" +
        "          then try again\n",
    );
    expect(failures).toMatch(/ {2}✗ plain_failure: no hint here\n(?! {6}hint:)/);
    expect(failures.match(/hint:/g)).toHaveLength(1);
    // the rest of the message and the context stay in the logs
    expect(failures).not.toContain("second line of the message");
  });

  it("exits 2 when every failed step failed on a user error, 1 when any failed otherwise", async () => {
    // needs_setup throws an AssetsError (userError by default): bad input, exit 2.
    expect((await project.run(["materialize", "--select", "needs_setup"])).code).toBe(2);
    // plain_failure throws a plain Error: a failed step, exit 1 (alone or mixed with bad input).
    expect((await project.run(["materialize", "--select", "plain_failure"])).code).toBe(1);
    expect((await project.run(["materialize", "--select", "needs_setup,plain_failure"])).code).toBe(1);
  });

  it("runs show prints the hints recorded in the event log, and gives them in --json", async () => {
    const run = await project.run(["materialize", "--select", "needs_setup,plain_failure,fine", "--json"]);
    expect(run.code).toBe(1);
    const { runId } = JSON.parse(run.stdout) as { runId: string };
    const [shown, json] = await Promise.all([
      project.run(["runs", "show", runId]),
      project.json<{ steps: { failures: Failure[] } }>(["runs", "show", runId, "--json"]),
    ]);
    expect(shown.stdout).toContain(
      "  ✗ needs_setup: setup.txt is missing\n" +
        "      hint: run the setup step first\n" +
        "          then try again\n",
    );
    expect(shown.stdout).toMatch(/ {2}✗ plain_failure: no hint here\n(?! {6}hint:)/);
    const byKey = [...json.steps.failures].sort((a, b) => a.assetKey.localeCompare(b.assetKey));
    expect(byKey).toEqual([
      {
        assetKey: "needs_setup",
        partitionKey: undefined,
        error: "setup.txt is missing",
        hint: "run the setup step first\n    then try again",
      },
      { assetKey: "plain_failure", error: "no hint here" },
    ]);
  });

  it("gives the hint of each failure that has one in --json", async () => {
    const res = await project.run(["materialize", "--select", "needs_setup,plain_failure", "--json"]);
    expect(res.code).toBe(1);
    const summary = JSON.parse(res.stdout) as { failures: Failure[] };
    const byKey = [...summary.failures].sort((a, b) => a.assetKey.localeCompare(b.assetKey));
    expect(byKey).toEqual([
      {
        assetKey: "needs_setup",
        error: "setup.txt is missing",
        hint: "run the setup step first\n    then try again",
      },
      { assetKey: "plain_failure", error: "no hint here" },
    ]);
  });
});
