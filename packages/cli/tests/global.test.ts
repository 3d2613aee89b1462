import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_DEFINITIONS, makeProject, runCli, type TempProject } from "./helpers/cli.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");
const BROKEN_DEFINITIONS = path.resolve(import.meta.dirname, "fixtures/broken-definitions.ts");

describe("assets global flags and project config", () => {
  let project: TempProject;
  let bare: string;
  beforeAll(() => {
    project = makeProject();
    bare = fs.mkdtempSync(path.join(os.tmpdir(), "assets-cli-bare-"));
  });
  afterAll(() => {
    project.cleanup();
    fs.rmSync(bare, { recursive: true, force: true });
  });

  it("--help lists every command with examples; a command's --help has its own examples", async () => {
    const [res, sub] = await Promise.all([project.run(["--help"]), project.run(["materialize", "--help"])]);
    expect(res.code).toBe(0);
    for (const command of ["materialize", "list", "show", "partitions", "runs", "logs", "graph", "wipe"]) {
      expect(res.stdout).toMatch(new RegExp(`\\n  ${command} `));
    }
    expect(res.stdout).toContain("Examples:");
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain("--partitions-file <file>");
    expect(sub.stdout).toContain("$ npx assets materialize --select cohort_membership");
  });

  it("--version prints the package version", async () => {
    const res = await project.run(["--version"]);
    const pkg = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../package.json"), "utf8"));
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(pkg.version);
  });

  it("exits 2 on an unknown command, suggesting the close one, and on no command at all", async () => {
    const [typo, none] = await Promise.all([project.run(["lst"]), project.run([])]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("Did you mean list?");
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Usage: assets");
  });

  it("without assets.yaml needs -f, which is resolved against the working directory", async () => {
    const missing = await runCli(["list"], { cwd: bare });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no definitions module to load");
    expect(missing.stderr).toContain("hint: pass -f");

    const relative = path.relative(bare, FIXTURE_DEFINITIONS);
    const withFlag = await runCli(["-f", relative, "list", "--json"], { cwd: bare });
    expect(withFlag.code).toBe(0);
    expect(JSON.parse(withFlag.stdout)).toHaveLength(4);
    // the instance defaults to .assets in the working directory when there is no project config
    expect(fs.existsSync(path.join(bare, ".assets/instance.db"))).toBe(true);
  });

  it("-f overrides the definitions named in assets.yaml", async () => {
    const other = makeProject({ config: "definitions: nowhere.ts\n" });
    try {
      const broken = await other.run(["list"]);
      expect(broken.code).toBe(2);
      expect(broken.stderr).toContain("nowhere.ts");
      const fixed = await other.run(["list", "-f", FIXTURE_DEFINITIONS, "--json"]);
      expect(fixed.code).toBe(0);
    } finally {
      other.cleanup();
    }
  });

  it("rejects an assets.yaml with an unknown field or bad YAML, naming the file", async () => {
    const other = makeProject({ config: `definitions: ${FIXTURE_DEFINITIONS}\nhomedir: x\n` });
    try {
      const res = await other.run(["list"]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('unknown field "homedir"');
      expect(res.stderr).toContain(path.join(other.dir, "assets.yaml"));
      fs.writeFileSync(path.join(other.dir, "assets.yaml"), "definitions: [oops\n");
      const yaml = await other.run(["list"]);
      expect(yaml.code).toBe(2);
      expect(yaml.stderr).toContain("cannot read assets.yaml");
    } finally {
      other.cleanup();
    }
  });

  it("$ASSETS_HOME and a real DD_DATA_ROOT win over assets.yaml", async () => {
    const home = path.join(project.dir, "elsewhere");
    const data = path.join(project.dir, "real-data");
    const res = await project.run(["materialize", "--select", "settings"], {
      env: { ASSETS_HOME: home, DD_DATA_ROOT: data },
    });
    expect(res.code).toBe(0);
    expect(fs.existsSync(path.join(home, "instance.db"))).toBe(true);
    expect(fs.existsSync(path.join(data, "out/settings.json"))).toBe(true);
    expect(fs.existsSync(path.join(project.dir, ".assets"))).toBe(false);
  });

  it("reports a definitions module that fails to load without a stack, and with one under --verbose", async () => {
    const [plain, verbose] = await Promise.all([
      project.run(["list", "-f", BROKEN_DEFINITIONS]),
      project.run(["list", "-f", BROKEN_DEFINITIONS, "--verbose"]),
    ]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain("boom while loading the definitions");
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    expect(verbose.code).toBe(2);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it("npx assets --help works from the repo root through the workspace bin link", () => {
    const link = path.join(REPO_ROOT, "node_modules/.bin/assets");
    expect(fs.existsSync(link)).toBe(true);
    const res = spawnSync(link, ["--help"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(res.status).toBe(0);
    expect(res.stdout).toContain("Usage: assets");
  });
});
