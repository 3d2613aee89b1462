import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_DEFINITIONS, makeProject, type TempProject } from "./helpers/cli.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");
const DEFAULT_DEFINITIONS = path.join(REPO_ROOT, "packages/assets/src/definitions.ts");

describe("the prebuilt command (dist/) and the TypeScript sources behave the same", () => {
  let project: TempProject;
  beforeAll(() => {
    const build = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts/build.mjs")], {
      encoding: "utf8",
    });
    expect(build.status, build.stderr).toBe(0);
    project = makeProject({ definitions: DEFAULT_DEFINITIONS });
  });
  afterAll(() => project.cleanup());

  it("records every project source of the bundle with its modification time", () => {
    const info = JSON.parse(
      fs.readFileSync(path.join(REPO_ROOT, "packages/cli/dist/build-info.json"), "utf8"),
    ) as { definitions: string; inputs: Record<string, number> };
    expect(info.definitions).toBe("packages/assets/src/definitions.ts");
    expect(Object.keys(info.inputs)).toContain("packages/cli/src/main.ts");
    expect(Object.keys(info.inputs)).toContain("packages/assets/src/definitions.ts");
    for (const [file, mtimeMs] of Object.entries(info.inputs)) {
      expect(fs.statSync(path.join(REPO_ROOT, file)).mtimeMs, file).toBe(mtimeMs);
    }
  });

  it("lists the default definitions identically from the bundle and from source", async () => {
    const [bundled, source] = await Promise.all([
      project.run(["list", "--json"]),
      project.run(["list", "--json"], { env: { ASSETS_NO_BUNDLE: "1" } }),
    ]);
    expect(bundled.code, bundled.stderr).toBe(0);
    expect(source.code, source.stderr).toBe(0);
    const keys = (JSON.parse(bundled.stdout) as { key: string }[]).map((a) => a.key);
    expect(keys).toContain("evaluation_response");
    expect(bundled.stdout).toBe(source.stdout);
  });

  it("loads a TypeScript definitions module given with -f from the bundle", async () => {
    const [bundled, source] = await Promise.all([
      project.run(["-f", FIXTURE_DEFINITIONS, "list", "--json"]),
      project.run(["-f", FIXTURE_DEFINITIONS, "list", "--json"], { env: { ASSETS_NO_BUNDLE: "1" } }),
    ]);
    expect(bundled.code, bundled.stderr).toBe(0);
    expect(bundled.stdout).toBe(source.stdout);
  });
});
