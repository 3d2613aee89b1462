import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, type TempProject } from "./helpers/cli.ts";

interface Summary {
  runId: string;
  status: string;
  totalSteps: number;
  succeeded: number;
  failed: number;
  skipped: number;
  durationMs: number;
  failures: { assetKey: string; partitionKey: string | null; error: string }[];
  logPath: string;
}

describe("assets materialize", () => {
  let project: TempProject;
  beforeAll(() => {
    project = makeProject();
    fs.mkdirSync(path.join(project.dir, "sub"));
  });
  afterAll(() => project.cleanup());

  it("materializes unpartitioned assets from a subdirectory, writing under DD_DATA_ROOT of the project root", async () => {
    const res = await project.run(["materialize", "--select", "settings,register_numbers"], {
      cwd: path.join(project.dir, "sub"),
    });
    expect(res.stderr).toContain("✓ settings");
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Run \S+ succeeded in /);
    expect(res.stdout).toContain("2 succeeded, 0 failed, 0 skipped (of 2 steps)");
    expect(res.stdout).toMatch(/Logs: npx assets logs \S+/);
    const written = JSON.parse(fs.readFileSync(path.join(project.dir, "data/out/settings.json"), "utf8"));
    expect(written).toEqual({ offset: 0 });
    expect(fs.existsSync(path.join(project.dir, "sub/data"))).toBe(false);
    expect(fs.existsSync(path.join(project.dir, ".assets/instance.db"))).toBe(true);
  });

  it("prints exactly one JSON document with --json and runs one --partition", async () => {
    const res = await project.run(["materialize", "--select", "squared", "--partition", "1", "--json"]);
    expect(res.code).toBe(0);
    const summary = JSON.parse(res.stdout) as Summary;
    expect(summary).toMatchObject({
      status: "succeeded",
      totalSteps: 1,
      succeeded: 1,
      failed: 0,
      skipped: 0,
    });
    expect(summary.failures).toEqual([]);
    expect(typeof summary.runId).toBe("string");
    expect(summary.logPath).toBe(path.join(project.dir, ".assets/logs", `${summary.runId}.jsonl`));
    // no progress lines in --json mode without a TTY
    expect(res.stderr).toBe("");
  });

  it("runs the keys given with --partitions and --partitions-file (a file, or stdin for -)", async () => {
    const list = await project.json<Summary>([
      "materialize",
      "--select",
      "squared",
      "--partitions",
      "1, 2",
      "--json",
    ]);
    expect(list.totalSteps).toBe(2);

    const file = path.join(project.dir, "keys.txt");
    fs.writeFileSync(file, "2\n\n3\n");
    const fromFile = await project.json<Summary>([
      "materialize",
      "--select",
      "squared",
      "--partitions-file",
      "keys.txt",
      "--json",
    ]);
    expect(fromFile).toMatchObject({ totalSteps: 2, succeeded: 2 });
    // the run materialized the keys of the file: 3 was last materialized by it
    const three = await project.json<{ materialization: { runId: string } }>([
      "show",
      "squared",
      "--partition",
      "3",
      "--json",
    ]);
    expect(three.materialization.runId).toBe(fromFile.runId);

    const fromStdin = await project.json<Summary>(
      ["materialize", "--select", "squared", "--partitions-file", "-", "--json"],
      { input: "1\n2\n3\n" },
    );
    expect(fromStdin).toMatchObject({ totalSteps: 3, succeeded: 3 });
  });

  it("exits 1 on a failed step and lists it with asset, partition and first error line", async () => {
    const add = await project.run(["partitions", "add", "numbers", "13", "4"]);
    expect(add.code).toBe(0);
    const res = await project.run(["materialize", "--select", "squared", "--partitions", "4,13"]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/Run (\S+) failed/);
    expect(res.stdout).toContain("1 succeeded, 1 failed, 0 skipped (of 2 steps)");
    expect(res.stdout).toContain("✗ squared[13]: unlucky number 13");
    expect(res.stdout).not.toContain("second line of the error");
    const runId = /Run (\S+) failed/.exec(res.stdout)![1];
    expect(res.stdout).toContain(`npx assets logs ${runId}`);
    // one plain line per finished step without a TTY
    expect(res.stderr).toContain("✓ squared[4]");
    expect(res.stderr).toContain("✗ squared[13] failed: unlucky number 13");
  });

  it("--missing runs only partitions without a successful materialization", async () => {
    const res = await project.run(["materialize", "--select", "squared", "--missing", "--json"]);
    expect(res.code).toBe(1);
    const summary = JSON.parse(res.stdout) as Summary;
    // 1..4 are materialized; only 13 (failed before) is left and fails again
    expect(summary).toMatchObject({ status: "failed", totalSteps: 1, failed: 1 });
    expect(summary.failures).toEqual([
      { assetKey: "squared", partitionKey: "13", error: "unlucky number 13" },
    ]);
  });

  it("--all-partitions runs every registered key, --concurrency 1 included", async () => {
    const res = await project.run([
      "materialize",
      "--select",
      "squared",
      "--all-partitions",
      "--concurrency",
      "1",
      "--json",
    ]);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout)).toMatchObject({ totalSteps: 5, succeeded: 4, failed: 1 });
  });

  it("--fail-fast skips the steps not started after the first failure", async () => {
    const res = await project.run([
      "materialize",
      "--select",
      "squared",
      "--partitions",
      "13,1,2",
      "--concurrency",
      "1",
      "--fail-fast",
    ]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("0 succeeded, 1 failed, 2 skipped (of 3 steps)");
  });

  it("passes --config run config to the asset and rejects config that does not fit, naming the file", async () => {
    fs.writeFileSync(path.join(project.dir, "run.yaml"), "assets:\n  settings:\n    offset: 10\n");
    const ok = await project.run(["materialize", "--select", "settings", "--config", "run.yaml"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(project.dir, "data/out/settings.json"), "utf8"))).toEqual({
      offset: 10,
    });

    fs.writeFileSync(path.join(project.dir, "bad.yaml"), "assets:\n  setings:\n    offset: 1\n");
    fs.writeFileSync(path.join(project.dir, "broken.yaml"), "assets: [unclosed\n");
    const [bad, broken] = await Promise.all([
      project.run(["materialize", "--select", "settings", "--config", "bad.yaml"]),
      project.run(["materialize", "--select", "settings", "--config", "broken.yaml"]),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("setings");
    expect(bad.stderr).toContain(path.join(project.dir, "bad.yaml"));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain("cannot read run config");
  });

  it("rejects an unknown asset in --select, suggesting the close name", async () => {
    const res = await project.run(["materialize", "--select", "squard", "--partition", "1"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('"squard"');
    expect(res.stderr).toContain("squared");
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.stdout).toBe("");
  });

  it("rejects an unregistered partition key with a hint to register it", async () => {
    const res = await project.run(["materialize", "--select", "squared", "--partition", "99", "--json"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('"99"');
    expect(res.stderr).toContain("hint:");
    // --json still prints a single JSON document, describing the error
    const doc = JSON.parse(res.stdout) as { error: { message: string; hint: string } };
    expect(doc.error.message).toContain("99");
  });

  it("rejects bad usage with exit 2: combined partition flags, no partitions, bad concurrency, missing --select", async () => {
    // independent read-only failures: run side by side to keep the suite fast
    const [combined, none, concurrency, noSelect, emptyKey] = await Promise.all([
      project.run(["materialize", "--select", "squared", "--partition", "1", "--missing"]),
      project.run(["materialize", "--select", "squared"]),
      project.run(["materialize", "--select", "settings", "--concurrency", "0"]),
      project.run(["materialize", "--json"]),
      project.run(["materialize", "--select", "squared", "--partitions", "1,,2"]),
    ]);
    expect(combined.code).toBe(2);
    expect(combined.stderr).toContain("--partition and --missing cannot be combined");
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("squared");
    expect(concurrency.code).toBe(2);
    expect(concurrency.stderr).toContain("--concurrency");
    expect(noSelect.code).toBe(2);
    expect(noSelect.stderr).toContain("--select");
    // a usage error caught by the argument parser still gives --json its one document
    expect(JSON.parse(noSelect.stdout)).toEqual({
      error: expect.objectContaining({ code: "USAGE", message: expect.stringContaining("--select") }),
    });
    expect(emptyKey.code).toBe(2);
    expect(emptyKey.stderr).toContain("empty key at position 2");
  });

  it("reports a large run without a TTY as a periodic summary instead of a line per step", async () => {
    const keys = Array.from({ length: 60 }, (_, i) => String(100 + i)).join("\n");
    const add = await project.run(["partitions", "add", "numbers", "--file", "-"], { input: keys });
    expect(add.code).toBe(0);
    const res = await project.run(["materialize", "--select", "settings,squared", "--partitions-file", "-"], {
      input: keys,
    });
    expect(res.code).toBe(0);
    expect(res.stderr).not.toContain("✓ squared[100]");
    expect(res.stderr).toMatch(/progress: 61\/61 steps, 61 succeeded, 0 failed, [\d.]+ steps\/s, ETA/);
    expect(res.stdout).toContain("61 succeeded, 0 failed, 0 skipped (of 61 steps)");
  });
});
