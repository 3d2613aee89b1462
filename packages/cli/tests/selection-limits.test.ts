/** Pathological --select values: exit 2 with a clear message, never a stack overflow. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, type TempProject } from "./helpers/cli.ts";

describe("selection limits in the CLI", () => {
  let project: TempProject;
  beforeAll(() => {
    project = makeProject();
  });
  afterAll(() => project.cleanup());

  it("exits 2 with a syntax error for parentheses nested thousands deep", async () => {
    const deep = `${"(".repeat(4000)}settings${")".repeat(4000)}`;
    const res = await project.run(["materialize", "--select", deep]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("selection syntax error at column 101");
    expect(res.stderr).toContain("nested deeper than 100 levels of '(' and 'not'");
    expect(res.stderr).toContain("hint:");
    expect(res.stderr).not.toMatch(/Maximum call stack|RangeError/);
    // the message shows the part around the error, not 8,000 parentheses
    expect(res.stderr.length).toBeLessThan(1000);

    const json = await project.run(["materialize", "--select", `${"not ".repeat(2000)}settings`, "--json"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error.code).toBe("SELECTION_SYNTAX");
  });

  it("exits 2 before parsing a selection over 10,000 characters", async () => {
    const long = Array(2000).fill("settings").join(",");
    const res = await project.run(["materialize", "--select", long]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`selection is ${long.length} characters long; at most 10000 are accepted`);
    expect(res.stderr).toContain("hint:");
    expect(res.stderr.length).toBeLessThan(1000);
  });
});
