/**
 * `assets runs show` on a shared PostgreSQL instance: a run's log is a file on the machine that
 * ran it, so a run from another machine is shown with that machine's name. The other machine is
 * a process in its own UTS namespace (`unshare`) whose hostname differs, with its own project
 * directory, sharing one schema on the test server with this one.
 */
import { spawn } from "node:child_process";
import os from "node:os";
import { testSchemaUrl } from "@daydream/postgres/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BIN, type CliResult, collect, makeProject, type TempProject } from "./helpers/cli.ts";

const OTHER_HOST = "other-machine";

interface ShownRun {
  runId: string;
  host: string;
  logPath: string;
  logHost: string;
}

/** `assets ...args` in `project` as a process whose hostname is OTHER_HOST. */
function runOnOtherHost(
  project: TempProject,
  args: string[],
  env: Record<string, string>,
): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", ...env };
  for (const name of ["ASSETS_HOME", "DD_DATA_ROOT", "DD_LLM", "FORCE_COLOR"]) delete childEnv[name];
  // --map-root-user: a new UTS namespace without needing to be root
  const child = spawn(
    "unshare",
    ["--user", "--map-root-user", "--uts", "sh", "-c", `hostname ${OTHER_HOST} && exec "$@"`, "sh"].concat([
      process.execPath,
      BIN,
      ...args,
    ]),
    { cwd: project.dir, env: childEnv, stdio: "pipe" },
  );
  return collect(child);
}

describe("assets runs show says on which machine a run's log is", () => {
  let here: TempProject;
  let there: TempProject;
  let schema: ReturnType<typeof testSchemaUrl>;
  let env: Record<string, string>;

  beforeAll(() => {
    schema = testSchemaUrl(inject("postgresUrl"), "runs_log_host");
    env = { ASSETS_STORAGE: schema.url };
    here = makeProject({ prefix: "assets-here-" });
    there = makeProject({ prefix: "assets-there-" });
  });
  afterAll(async () => {
    here.cleanup();
    there.cleanup();
    await schema.drop();
  });

  it("names the other host for a run made there, and offers `assets logs` for a run made here", async () => {
    expect(OTHER_HOST).not.toBe(os.hostname());
    const remote = await runOnOtherHost(there, ["materialize", "--select", "settings", "--json"], env);
    expect(remote.code, remote.stderr).toBe(0);
    const remoteId = (JSON.parse(remote.stdout) as { runId: string }).runId;
    const local = await here.json<{ runId: string }>(["materialize", "--select", "settings", "--json"], {
      env,
    });

    const shown = await here.run(["runs", "show", remoteId], { env });
    expect(shown.code, shown.stderr).toBe(0);
    const logsLine = shown.stdout.split("\n").find((line) => line.startsWith("Logs: "));
    expect(logsLine).toMatch(new RegExp(`^Logs: \\S+${remoteId}\\.jsonl on host ${OTHER_HOST}\\b`));
    expect(logsLine).toContain(`npx assets logs ${remoteId}\` there`);

    const remoteJson = await here.json<ShownRun>(["runs", "show", remoteId, "--json"], { env });
    expect(remoteJson).toMatchObject({ runId: remoteId, host: OTHER_HOST, logHost: OTHER_HOST });
    expect(remoteJson.logPath).toMatch(new RegExp(`${remoteId}\\.jsonl$`));

    const localShown = await here.run(["runs", "show", local.runId], { env });
    expect(localShown.stdout).toContain(`Logs: npx assets logs ${local.runId}`);
    expect(localShown.stdout).not.toContain("on host");
    const localJson = await here.json<ShownRun>(["runs", "show", local.runId, "--json"], { env });
    expect(localJson.logHost).toBe(os.hostname());
  });
});
