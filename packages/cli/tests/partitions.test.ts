import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, type TempProject } from "./helpers/cli.ts";

describe("assets partitions", () => {
  let project: TempProject;
  beforeAll(() => {
    project = makeProject();
  });
  afterAll(() => project.cleanup());

  it("add is idempotent and reports how many keys were new (arguments, --file and stdin)", async () => {
    const first = await project.run(["partitions", "add", "numbers", "1", "2", "3"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      "Added 3 new keys to numbers (0 already registered or repeated; 3 in total).\n",
    );

    fs.writeFileSync(path.join(project.dir, "keys.txt"), "3\n4\n\n5\n");
    const fromFile = await project.json<{ requested: number; added: number; total: number }>([
      "partitions",
      "add",
      "numbers",
      "2",
      "--file",
      "keys.txt",
      "--json",
    ]);
    expect(fromFile).toEqual({ name: "numbers", requested: 4, added: 2, total: 5 });

    const fromStdin = await project.json<{ added: number; total: number }>(
      ["partitions", "add", "numbers", "--file", "-", "--json"],
      { input: "5\n6\n" },
    );
    expect(fromStdin).toMatchObject({ added: 1, total: 6 });
  });

  it("list prints keys in insertion order, paged with --limit/--offset, or every definition without a name", async () => {
    const [all, page, defs, defsJson] = await Promise.all([
      project.run(["partitions", "list", "numbers"]),
      project.run(["partitions", "list", "numbers", "--offset", "2", "--limit", "2", "--json"]),
      project.run(["partitions", "list"]),
      project.run(["partitions", "list", "--json"]),
    ]);
    expect(all.stdout).toBe("1\n2\n3\n4\n5\n6\n");
    expect(JSON.parse(page.stdout)).toEqual(["3", "4"]);
    expect(defs.stdout).toMatch(/^NAME\s+KEYS\s+ASSETS\nnumbers\s+6\s+squared\n$/);
    expect(JSON.parse(defsJson.stdout)).toEqual([{ name: "numbers", count: 6, assets: ["squared"] }]);
  });

  it("count prints the number of keys", async () => {
    const [res, json] = await Promise.all([
      project.run(["partitions", "count", "numbers"]),
      project.run(["partitions", "count", "numbers", "--json"]),
    ]);
    expect(res.stdout).toBe("6\n");
    expect(JSON.parse(json.stdout)).toEqual({ name: "numbers", count: 6 });
  });

  it("delete refuses without --yes, then deletes the given keys", async () => {
    const refused = await project.run(["partitions", "delete", "numbers", "6"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("without --yes");
    expect((await project.run(["partitions", "count", "numbers"])).stdout).toBe("6\n");

    const res = await project.run(["partitions", "delete", "numbers", "5", "6", "--yes"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe("Deleted 2 keys from numbers (4 left).\n");
  });

  it("rejects an unknown partitions definition (suggesting the close name), bad keys and missing keys", async () => {
    // independent read-only failures: run side by side to keep the suite fast
    const [unknown, badKey, noKeys, noFile, noSub] = await Promise.all([
      project.run(["partitions", "add", "numbrs", "1"]),
      project.run(["partitions", "add", "numbers", "a/b"]),
      project.run(["partitions", "add", "numbers"]),
      project.run(["partitions", "add", "numbers", "--file", "missing.txt"]),
      project.run(["partitions", "rename", "numbers"]),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('did you mean "numbers"');
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('"a/b"');
    expect(badKey.stderr).toContain("hint:");
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toContain("no partition keys to add");
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain("missing.txt");
    expect(noSub.code).toBe(2);
    expect(noSub.stderr).toContain("unknown command");
  });
});
