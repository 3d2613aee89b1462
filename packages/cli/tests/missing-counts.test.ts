import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, type TempProject } from "./helpers/cli.ts";

const HOOKED_DEFINITIONS = path.resolve(import.meta.dirname, "fixtures/hooked-definitions.ts");

interface Counts {
  registered: number;
  materialized: number;
  failed: number;
  missing: number;
}

describe("partition counts of show and list agree with materialize --missing", () => {
  let project: TempProject;
  beforeAll(async () => {
    project = makeProject({ definitions: HOOKED_DEFINITIONS, prefix: "assets-cli-missing-" });
    expect((await project.run(["partitions", "add", "letters", "a", "b", "c", "d", "x"])).code).toBe(0);
    expect((await project.run(["materialize", "--select", "letter", "--all-partitions"])).code).toBe(1);
  });
  afterAll(() => project.cleanup());

  const countsOf = async () => {
    const [show, list, listJson, showJson] = await Promise.all([
      project.run(["show", "letter"]),
      project.run(["list"]),
      project.json<Array<{ key: string; partitionCounts: Counts }>>(["list", "--json"]),
      project.json<{ partitionCounts: Counts }>(["show", "letter", "--json"]),
    ]);
    return { show: show.stdout, list: list.stdout, listJson: listJson[0].partitionCounts, json: showJson };
  };

  it("counts partitions whose files exist as materialized after a wipe, as --missing does", async () => {
    const wiped = await project.run(["wipe", "letter", "--yes"]);
    expect(wiped.code).toBe(0);
    const { show, list, listJson, json } = await countsOf();
    expect(show).toContain("Partitions (letters): 5 registered: 4 materialized, 0 failed, 1 missing");
    expect(list).toMatch(/letter .* 4\/5 materialized$/m);
    expect(json.partitionCounts).toEqual({
      definition: "letters",
      registered: 5,
      materialized: 4,
      failed: 0,
      missing: 1,
    });
    expect(listJson).toEqual(json.partitionCounts);
    // --missing runs exactly the one partition show calls missing
    const run = await project.run(["materialize", "--select", "letter", "--missing", "--json"]);
    expect(JSON.parse(run.stdout)).toMatchObject({ totalSteps: 1, failed: 1 });
  });

  it("counts a failed partition as failed, and a deleted file as missing", async () => {
    fs.rmSync(path.join(project.dir, "data/out/letter/b.json"));
    const { show, listJson } = await countsOf();
    expect(show).toContain("Partitions (letters): 5 registered: 3 materialized, 1 failed, 1 missing");
    expect(listJson).toMatchObject({ materialized: 3, failed: 1, missing: 1 });
    const run = await project.run(["materialize", "--select", "letter", "--missing", "--json"]);
    expect(JSON.parse(run.stdout)).toMatchObject({ totalSteps: 2, succeeded: 1, failed: 1 });
  });
});
