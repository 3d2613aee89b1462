import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, type TempProject } from "./helpers/cli.ts";

interface ListedAsset {
  key: string;
  group: string;
  deps: string[];
  partitions: string | null;
  lastMaterialization: {
    status: string;
    timestamp: string;
    runId: string;
    partitionKey: string | null;
  } | null;
  partitionCounts: { registered: number; materialized: number; failed: number; missing: number } | null;
}

interface RunRow {
  runId: string;
  status: string;
  selection: string;
  stepCount: number;
}

describe("assets list, show, graph, runs, logs and wipe", () => {
  let project: TempProject;
  let failedRunId: string;

  beforeAll(async () => {
    project = makeProject();
    const setup = await project.run(["materialize", "--select", "settings,register_numbers"], {
      env: { FIXTURE_NUMBERS: "1,2,13,5" },
    });
    expect(setup.code).toBe(0);
    const run = await project.run(["materialize", "--select", "squared", "--partitions", "1,2,13", "--json"]);
    expect(run.code).toBe(1);
    failedRunId = JSON.parse(run.stdout).runId;
  });
  afterAll(() => project.cleanup());

  it("list prints every asset with group, partitions, deps and status", async () => {
    const res = await project.run(["list"]);
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^KEY\s+GROUP\s+PARTITIONS\s+DEPS\s+LAST MATERIALIZATION\s+STATUS$/);
    const squared = lines.find((l) => l.startsWith("squared "))!;
    expect(squared).toMatch(/math\s+numbers\s+settings,register_numbers/);
    expect(squared).toMatch(/2\/4 materialized, 1 failed$/);
    expect(lines.find((l) => l.startsWith("total "))).toMatch(/never$/);
  });

  it("list --json gives key, group, deps, partitions and the last materialization", async () => {
    const assets = await project.json<ListedAsset[]>(["list", "--json"]);
    expect(assets.map((a) => a.key)).toEqual(["settings", "register_numbers", "squared", "total"]);
    const squared = assets.find((a) => a.key === "squared")!;
    expect(squared).toMatchObject({
      group: "math",
      partitions: "numbers",
      deps: ["settings", "register_numbers"],
    });
    expect(squared.partitionCounts).toMatchObject({ registered: 4, materialized: 2, failed: 1, missing: 1 });
    const settings = assets.find((a) => a.key === "settings")!;
    expect(settings.lastMaterialization).toMatchObject({ status: "materialized", partitionKey: null });
    expect(assets.find((a) => a.key === "total")!.lastMaterialization).toBeNull();
  });

  it("list --select narrows the assets and rejects an unknown group", async () => {
    const [selected, bad] = await Promise.all([
      project.run(["list", "--select", "group:setup", "--json"]),
      project.run(["list", "--select", "group:mathh"]),
    ]);
    expect((JSON.parse(selected.stdout) as ListedAsset[]).map((a) => a.key)).toEqual([
      "settings",
      "register_numbers",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("math");
  });

  it("show prints partition counts and a partition's failure; --json has the materialization", async () => {
    const [res, one, json, settings] = await Promise.all([
      project.run(["show", "squared"]),
      project.run(["show", "squared", "--partition", "13"]),
      project.run(["show", "squared", "--partition", "2", "--json"]),
      project.run(["show", "settings"]),
    ]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("squared (group math)");
    expect(res.stdout).toContain("Partitions (numbers): 4 registered: 2 materialized, 1 failed, 1 missing");

    expect(one.stdout).toMatch(/Partition squared\[13\]: failed at .* \(run /);
    expect(one.stdout).toContain("error: unlucky number 13");

    const doc = JSON.parse(json.stdout) as { materialization: unknown; partition: string };
    expect(doc.partition).toBe("2");
    expect(doc.materialization).toMatchObject({ status: "materialized", metadata: { n: 2 } });

    expect(settings.stdout).toContain("Offset added to every square");
    expect(settings.stdout).toMatch(/Latest materialization: materialized at/);
    expect(settings.stdout).toContain("offset: 0");
  });

  it("show rejects an unknown asset (suggesting close names), --partition on an unpartitioned asset and an unregistered key", async () => {
    // independent read-only failures: run side by side to keep the suite fast
    const [unknown, unpartitioned, unregistered, missingArg] = await Promise.all([
      project.run(["show", "sqared"]),
      project.run(["show", "settings", "--partition", "1"]),
      project.run(["show", "squared", "--partition", "77"]),
      project.run(["show"]),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('did you mean "squared"');
    expect(unpartitioned.code).toBe(2);
    expect(unpartitioned.stderr).toContain('asset "settings" is not partitioned');
    expect(unregistered.code).toBe(2);
    expect(unregistered.stderr).toContain("assets partitions list numbers");
    expect(missingArg.code).toBe(2);
    expect(missingArg.stderr).toContain("missing required argument");
  });

  it("graph prints Mermaid by default and DOT on request, limited by --select", async () => {
    const [mermaid, dot, bad] = await Promise.all([
      project.run(["graph"]),
      project.run(["graph", "--format", "dot", "--select", "+squared"]),
      project.run(["graph", "--format", "png"]),
    ]);
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout.split("\n")[0]).toBe("flowchart LR");
    expect(mermaid.stdout).toContain("a_settings --> a_squared");
    expect(mermaid.stdout).toContain("a_register_numbers -.-> a_squared");
    expect(mermaid.stdout).toContain('subgraph group_0["setup"]');

    expect(dot.stdout.startsWith("digraph assets {")).toBe(true);
    expect(dot.stdout).toContain('"settings" -> "squared";');
    expect(dot.stdout).toContain('"register_numbers" -> "squared" [style=dashed];');
    expect(dot.stdout).not.toContain('"total"');

    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("mermaid, dot");
  });

  it("runs lists runs newest first, filtered by --status and --limit, as a table or --json", async () => {
    const [table, failed, limited, bad] = await Promise.all([
      project.run(["runs"]),
      project.run(["runs", "--status", "failed", "--json"]),
      project.run(["runs", "--limit", "1", "--json"]),
      project.run(["runs", "--status", "done"]),
    ]);
    expect(table.code).toBe(0);
    const header = table.stdout.split("\n")[0];
    expect(header).toMatch(/^RUN ID\s+STATUS\s+CREATED\s+DURATION\s+STEPS\s+PARTITIONS\s+SELECTION$/);
    expect(table.stdout.split("\n")[1]).toContain(failedRunId);

    const failedRuns = JSON.parse(failed.stdout) as RunRow[];
    expect(failedRuns.map((r) => r.runId)).toEqual([failedRunId]);
    expect(failedRuns[0]).toMatchObject({ status: "failed", selection: "squared", stepCount: 3 });
    expect(JSON.parse(limited.stdout)).toHaveLength(1);

    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("succeeded");
  });

  it("runs show prints step counts, failures with their first line and the log path", async () => {
    const [res, json, unknown] = await Promise.all([
      project.run(["runs", "show", failedRunId]),
      project.run(["runs", "show", failedRunId, "--json"]),
      project.run(["runs", "show", "no-such-run"]),
    ]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`Run ${failedRunId} failed`);
    expect(res.stdout).toContain("steps: 3 planned, 2 succeeded, 1 failed, 0 skipped");
    expect(res.stdout).toContain("✗ squared[13]: unlucky number 13");
    expect(res.stdout).toContain(`${failedRunId}.jsonl`);

    const doc = JSON.parse(json.stdout) as { steps: { failed: number; failures: unknown[] } };
    expect(doc.steps.failed).toBe(1);
    expect(doc.steps.failures).toEqual([
      { assetKey: "squared", partitionKey: "13", error: "unlucky number 13" },
    ]);

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown run "no-such-run"');
  });

  it("logs pretty-prints the run log, --raw prints the JSON lines, --follow returns for a finished run", async () => {
    const [pretty, raw, follow, unknown] = await Promise.all([
      project.run(["logs", failedRunId]),
      project.run(["logs", failedRunId, "--raw"]),
      project.run(["logs", failedRunId, "--follow"]),
      project.run(["logs", "nope"]),
    ]);
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toMatch(/\d\d:\d\d:\d\d\.\d{3} INFO {2}squared\[1\] squaring n=1/);
    expect(pretty.stdout).toMatch(/ERROR squared\[13\]/);

    const lines = raw.stdout.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();

    expect(follow.code).toBe(0);
    expect(follow.stdout).toBe(pretty.stdout);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown run "nope"');
    expect(unknown.stdout).toBe("");
  });

  it("colours output only when asked: FORCE_COLOR on a pipe, never with NO_COLOR", async () => {
    const forcedEnv = { NO_COLOR: undefined, FORCE_COLOR: "1" };
    const noColorEnv = { NO_COLOR: "1", FORCE_COLOR: "1" };
    const [forced, plain, forcedError, plainError] = await Promise.all([
      project.run(["runs", "--limit", "1"], { env: forcedEnv }),
      project.run(["runs", "--limit", "1"], { env: noColorEnv }),
      project.run(["show", "nope"], { env: forcedEnv }),
      project.run(["show", "nope"], { env: noColorEnv }),
    ]);
    expect(forced.stdout).toContain("\x1b[");
    expect(plain.stdout).not.toContain("\x1b[");
    expect(plain.stdout).toContain(failedRunId);
    // errors on stderr too
    expect(forcedError.stderr).toContain("\x1b[31merror:");
    expect(plainError.stderr).toMatch(/^error: unknown asset "nope"/);
  });

  it("wipe needs --yes, then forgets records (one partition or all) without touching files", async () => {
    const settingsFile = path.join(project.dir, "data/out/settings.json");
    const before = fs.readFileSync(settingsFile, "utf8");
    const [refused, unknown] = await Promise.all([
      project.run(["wipe", "squared", "--partition", "13"]),
      project.run(["wipe", "nope", "--yes"]),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--yes");
    expect(unknown.code).toBe(2);

    const one = await project.json<{ removed: number }>([
      "wipe",
      "squared",
      "--partition",
      "13",
      "--yes",
      "--json",
    ]);
    expect(one.removed).toBe(1);
    const all = await project.run(["wipe", "settings", "--yes"]);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain("Wiped 1 materialization record of settings; files are untouched.");

    const listed = await project.json<ListedAsset[]>(["list", "--select", "settings,squared", "--json"]);
    expect(listed[0].lastMaterialization).toBeNull();
    expect(listed[1].partitionCounts).toMatchObject({ materialized: 2, failed: 0, missing: 2 });
    // the value settings wrote is still there, unchanged, and so are the run logs
    expect(fs.readFileSync(settingsFile, "utf8")).toBe(before);
    expect(fs.existsSync(path.join(project.dir, ".assets/logs", `${failedRunId}.jsonl`))).toBe(true);
  });
});
