import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  applyEnvDefaults,
  definitionsPathFor,
  findProjectConfig,
  readProjectConfig,
  resolveProject,
} from "./project-config.ts";

describe("project config (assets.yaml)", () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "cli-project-config-"));
    fs.mkdirSync(path.join(root, "a/b"), { recursive: true });
    fs.writeFileSync(path.join(root, "defs.ts"), "export default {};\n");
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const write = (text: string) => fs.writeFileSync(path.join(root, "assets.yaml"), text);

  it("is found in the nearest ancestor of the working directory", () => {
    write("definitions: defs.ts\n");
    expect(findProjectConfig(path.join(root, "a/b"))).toBe(path.join(root, "assets.yaml"));
    fs.writeFileSync(path.join(root, "a/assets.yaml"), "definitions: ../defs.ts\n");
    expect(findProjectConfig(path.join(root, "a/b"))).toBe(path.join(root, "a/assets.yaml"));
  });

  it("resolves definitions and home against the project root, not the working directory", () => {
    write("definitions: defs.ts\nhome: state\n");
    const project = resolveProject({ cwd: path.join(root, "a/b") }, {});
    expect(project).toMatchObject({
      root,
      definitionsPath: path.join(root, "defs.ts"),
      home: path.join(root, "state"),
    });
  });

  it("lets -f (against the working directory) and $ASSETS_HOME win over the file", () => {
    write("definitions: missing.ts\n");
    const project = resolveProject(
      { cwd: path.join(root, "a"), definitions: "../defs.ts" },
      { ASSETS_HOME: "h" },
    );
    expect(project.definitionsPath).toBe(path.join(root, "defs.ts"));
    expect(project.home).toBe(path.join(root, "a/h"));
  });

  it("applies env defaults without overriding the real environment, DD_DATA_ROOT made absolute", () => {
    write("definitions: defs.ts\nenv:\n  DD_DATA_ROOT: data\n  DD_LLM: offline\n  DD_LLM_MAX_TOKENS: 50\n");
    const config = readProjectConfig(path.join(root, "assets.yaml"));
    const env: NodeJS.ProcessEnv = { DD_LLM: "openai" };
    applyEnvDefaults(config, root, env);
    expect(env).toEqual({ DD_LLM: "openai", DD_DATA_ROOT: path.join(root, "data"), DD_LLM_MAX_TOKENS: "50" });
  });

  it("rejects unknown fields, non-string paths and a non-mapping env, naming the file and field", () => {
    write("definitions: defs.ts\ndefinition: x\n");
    expect(() => readProjectConfig(path.join(root, "assets.yaml"))).toThrow(/unknown field "definition"/);
    write("definitions: 3\n");
    expect(() => readProjectConfig(path.join(root, "assets.yaml"))).toThrow(
      /"definitions" .* non-empty string/,
    );
    write("env: [a, b]\n");
    expect(() => readProjectConfig(path.join(root, "assets.yaml"))).toThrow(/"env" .* must be a mapping/);
  });

  it("reads materialize's default executor, and refuses one it does not know", () => {
    write("definitions: defs.ts\nexecutor: queue\n");
    expect(readProjectConfig(path.join(root, "assets.yaml")).executor).toBe("queue");
    write("definitions: defs.ts\n");
    expect(readProjectConfig(path.join(root, "assets.yaml")).executor).toBeUndefined();
    write("definitions: defs.ts\nexecutor: threads\n");
    expect(() => readProjectConfig(path.join(root, "assets.yaml"))).toThrow(
      /"executor" in assets.yaml is "threads": expected in-process or queue/,
    );
  });

  it("needs a definitions module from -f or the file, and it must exist", () => {
    expect(() => resolveProject({ cwd: root }, {})).toThrow(/no definitions module to load/);
    write("definitions: nope.ts\n");
    expect(() => resolveProject({ cwd: root }, {})).toThrow(/definitions module not found: .*nope\.ts/);
  });

  it("tells which definitions module a command line loads, -f first, without touching the environment", () => {
    write("definitions: defs.ts\nenv:\n  SOME_VAR: x\n");
    const cwd = path.join(root, "a/b");
    const node = ["node", "assets"];
    expect(definitionsPathFor([...node, "list"], cwd)).toBe(path.join(root, "defs.ts"));
    expect(definitionsPathFor([...node, "-f", "other.ts", "list"], cwd)).toBe(path.join(cwd, "other.ts"));
    expect(definitionsPathFor([...node, "--definitions=x.js", "list"], cwd)).toBe(path.join(cwd, "x.js"));
    expect(definitionsPathFor([...node, "-fy.ts", "list"], cwd)).toBe(path.join(cwd, "y.ts"));
    expect(definitionsPathFor([...node, "list", "--", "-f", "z.ts"], cwd)).toBe(path.join(root, "defs.ts"));
    expect(process.env.SOME_VAR).toBeUndefined();
    fs.rmSync(path.join(root, "assets.yaml"));
    expect(definitionsPathFor([...node, "list"], cwd)).toBeUndefined();
  });
});
