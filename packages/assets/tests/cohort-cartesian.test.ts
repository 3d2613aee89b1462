import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { taskTableColumns } from "../src/tasks/task-tables.ts";
import { openWorkspace, type Workspace } from "./helpers/materialize-helper.ts";

let ws: Workspace;

beforeEach(() => {
  ws = openWorkspace("dd-e2e-cartesian-");
});
afterEach(() => {
  delete process.env.DD_COHORT;
  ws.close();
});

const readText = (file: string) => fs.readFileSync(file, "utf8");
const csvRows = (file: string) =>
  readText(file)
    .trimEnd()
    .split("\n")
    .map((l) => l.split(","));

function cohortDir(id: string): string {
  return path.join(ws.root, "cohorts", id);
}

describe("Path B: a Cartesian cohort through materialize", () => {
  it("writes full rows for every stage and registers every gen_id as a partition", async () => {
    const { summary, metadata } = await ws.run("cohort_id,cohort_membership");
    expect(summary.status).toBe("succeeded");
    const cohortId = metadata.cohort_id.cohort_id as string;
    expect(readText(path.join(ws.root, "cohorts", "cohort_id.txt"))).toBe(cohortId);
    const [header, ...rows] = csvRows(path.join(cohortDir(cohortId), "membership.csv"));
    expect(header.slice(0, 3)).toEqual(["stage", "gen_id", "cohort_id"]);
    const byStage = (s: string) => rows.filter((r) => r[0] === s);
    expect([byStage("draft").length, byStage("essay").length, byStage("evaluation").length]).toEqual([
      2, 4, 16,
    ]);
    for (const r of rows) {
      expect(r).toHaveLength(header.length);
      expect(r[2]).toBe(cohortId);
    }
    expect(metadata.cohort_membership).toMatchObject({
      mode: "cartesian",
      rows: 22,
      rows_per_stage: { draft: 2, essay: 4, evaluation: 16 },
      partitions_added: { draft: 2, essay: 4, evaluation: 16 },
    });
    expect(ws.instance.getDynamicPartitions("draft_gens")).toEqual(byStage("draft").map((r) => r[1]));
    expect(ws.instance.countDynamicPartitions("evaluation_gens")).toBe(16);
    expect(readText(path.join(cohortDir(cohortId), "cohort.yaml"))).toMatch(
      /^id: "cohort-[0-9a-f]{12}"\nmode: cartesian\n/,
    );
  });

  it("with replication_config.csv reports the replicates and writes them in membership and task tables", async () => {
    fs.writeFileSync(
      path.join(ws.root, "1_raw", "replication_config.csv"),
      "stage,replicates\ndraft,2\nessay,1\nevaluation,3\n",
    );
    const { summary, metadata } = await ws.run("cohort_id,cohort_membership,group:task_definitions");
    expect(summary.status).toBe("succeeded");
    expect(metadata.cohort_membership).toMatchObject({
      replicates: { draft: 2, essay: 1, evaluation: 3 },
      rows_per_stage: { draft: 4, essay: 8, evaluation: 96 },
      partitions_added: { draft: 4, essay: 8, evaluation: 96 },
    });
    const cohortId = metadata.cohort_id.cohort_id as string;
    const [header, ...rows] = csvRows(path.join(cohortDir(cohortId), "membership.csv"));
    expect(header.at(-1)).toBe("replicate");
    const replicates = (stage: string) => rows.filter((r) => r[0] === stage).map((r) => r.at(-1));
    expect(replicates("draft")).toEqual(["1", "2", "1", "2"]);
    expect(new Set(replicates("evaluation"))).toEqual(new Set(["1", "2", "3"]));
    const [evalHeader, ...evalRows] = csvRows(path.join(ws.root, "2_tasks", "evaluation_tasks.csv"));
    expect(evalHeader).toEqual([...taskTableColumns("evaluation_tasks"), "replicate"]);
    expect(evalRows.map((r) => r.at(-1))).toEqual(replicates("evaluation"));
  });

  it("projects the task tables from membership in a later run, in the original's layout", async () => {
    await ws.run("cohort_id,cohort_membership");
    const { summary, metadata } = await ws.run("group:task_definitions");
    expect(summary.status).toBe("succeeded");
    const membership = csvRows(
      path.join(
        ws.root,
        "cohorts",
        readText(path.join(ws.root, "cohorts", "cohort_id.txt")),
        "membership.csv",
      ),
    );
    const header = membership[0];
    for (const [table, stage, count] of [
      ["draft_generation_tasks", "draft", 2],
      ["essay_generation_tasks", "essay", 4],
      ["evaluation_tasks", "evaluation", 16],
    ] as const) {
      const [cols, ...rows] = csvRows(path.join(ws.root, "2_tasks", `${table}.csv`));
      expect(cols).toEqual(taskTableColumns(table));
      const expected = membership
        .slice(1)
        .filter((r) => r[0] === stage)
        // columns the membership does not have (document_id...) are written empty
        .map((r) => cols.map((c) => (header.includes(c) ? r[header.indexOf(c)] : "")));
      expect(rows).toEqual(expected);
      expect(metadata[table]).toMatchObject({ task_count: count, source: "membership", partitions_added: 0 });
      expect(String(metadata[table].membership_path)).toMatch(/membership\.csv$/);
    }
    expect(metadata.content_combinations).toMatchObject({ combination_count: 2 });
  });

  it("in one run with cohort_membership, the task tables project without registering the same keys twice", async () => {
    const { summary, metadata } = await ws.run("cohort_id,cohort_membership,group:task_definitions");
    expect(summary.status).toBe("succeeded");
    expect(metadata.evaluation_tasks).toMatchObject({
      task_count: 16,
      partitions_added: 0,
      partitions_note: "registered by cohort_membership earlier in this run",
    });
    expect(ws.instance.countDynamicPartitions("evaluation_gens")).toBe(16);
  });

  it("registers a gen_id added to membership.csv by hand when the task table is projected", async () => {
    const { metadata } = await ws.run("cohort_id,cohort_membership");
    const file = path.join(cohortDir(metadata.cohort_id.cohort_id as string), "membership.csv");
    const lines = readText(file).trimEnd().split("\n");
    const extra = lines[lines.length - 1].split(",");
    extra[1] = "handaddedgen0001";
    fs.writeFileSync(file, `${[...lines, extra.join(",")].join("\n")}\n`);
    const tasks = await ws.run("evaluation_tasks");
    expect(tasks.metadata.evaluation_tasks).toMatchObject({ task_count: 17, partitions_added: 1 });
    expect(ws.instance.hasDynamicPartition("evaluation_gens", "handaddedgen0001")).toBe(true);
  });

  it("is idempotent: a re-run writes a byte-identical membership.csv and adds no partitions", async () => {
    const first = await ws.run("cohort_id,cohort_membership");
    const dir = cohortDir(first.metadata.cohort_id.cohort_id as string);
    const before = ["membership.csv", "cohort.yaml", "manifest.json"].map((f) => readText(path.join(dir, f)));
    const second = await ws.run("cohort_id,cohort_membership");
    expect(
      ["membership.csv", "cohort.yaml", "manifest.json"].map((f) => readText(path.join(dir, f))),
    ).toEqual(before);
    expect(second.metadata.cohort_membership).toMatchObject({ membership_changed: false });
    expect(second.metadata.cohort_membership.partitions_added).toEqual({ draft: 0, essay: 0, evaluation: 0 });
    expect(second.metadata.cohort_membership.dropped_from_previous_membership).toEqual({
      draft: 0,
      essay: 0,
      evaluation: 0,
    });
    expect(second.metadata.cohort_membership.note).toBeUndefined();
  });

  it("uses DD_COHORT as the cohort id", async () => {
    process.env.DD_COHORT = "cohort-from-env";
    const { metadata } = await ws.run("cohort_id,cohort_membership");
    expect(metadata.cohort_id).toMatchObject({ cohort_id: "cohort-from-env", source: "DD_COHORT" });
    expect(fs.existsSync(path.join(cohortDir("cohort-from-env"), "membership.csv"))).toBe(true);
  });

  it("prefers the run config override to DD_COHORT and records notes", async () => {
    process.env.DD_COHORT = "cohort-from-env";
    const { metadata } = await ws.run("cohort_id", {
      cohort_id: { override: "cohort-from-config", notes: "a named cohort" },
    });
    expect(metadata.cohort_id).toMatchObject({ cohort_id: "cohort-from-config", source: "config override" });
    expect(readText(path.join(cohortDir("cohort-from-config"), "cohort.yaml"))).toContain(
      'notes: "a named cohort"',
    );
  });

  it("fails the cohort_id step for an unsafe id and writes no cohort directory", async () => {
    const { summary, errors } = await ws.run("cohort_id,cohort_membership", {
      cohort_id: { override: "../outside" },
    });
    expect(summary.status).toBe("failed");
    expect(errors.cohort_id.message).toMatch(/cohort id "..\/outside" contains "\.\."/);
    expect(fs.existsSync(path.join(ws.root, "cohorts"))).toBe(false);
    expect(fs.existsSync(path.join(ws.root, "outside"))).toBe(false);
  });

  it("fails naming the empty axis and writes nothing", async () => {
    fs.writeFileSync(path.join(ws.root, "1_raw", "essay_templates.csv"), "template_id,active\ne1,False\n");
    const { errors } = await ws.run("cohort_id,cohort_membership");
    expect(errors.cohort_membership.message).toMatch(/axis "essay templates" is empty/);
    expect(ws.instance.countDynamicPartitions("draft_gens")).toBe(0);
    expect(
      fs
        .readdirSync(path.join(ws.root, "cohorts"))
        .some((f) => fs.existsSync(path.join(ws.root, "cohorts", f, "membership.csv"))),
    ).toBe(false);
  });

  it("ignores regenerate for a Cartesian cohort, saying why, and records nothing in cohort.yaml", async () => {
    const plain = await ws.run("cohort_id,cohort_membership");
    const cohortId = plain.metadata.cohort_id.cohort_id as string;
    const before = readText(path.join(cohortDir(cohortId), "membership.csv"));
    const { metadata } = await ws.run("cohort_membership", { cohort_membership: { regenerate: true } });
    expect(metadata.cohort_membership).toMatchObject({
      mode: "cartesian",
      regenerate: false,
      membership_changed: false,
    });
    expect(String(metadata.cohort_membership.regenerate_note)).toMatch(/applies to curated cohorts/);
    expect(readText(path.join(cohortDir(cohortId), "membership.csv"))).toBe(before);
    expect(readText(path.join(cohortDir(cohortId), "cohort.yaml"))).not.toContain("regenerate");
  });

  it("fails on an evaluation template naming an unknown parser, before writing membership", async () => {
    fs.writeFileSync(
      path.join(ws.root, "1_raw", "evaluation_templates.csv"),
      "template_id,active,parser\nv1,True,in_last_line\nv2,True,in_last_lines\n",
    );
    const { errors, metadata } = await ws.run("cohort_id,cohort_membership");
    expect(errors.cohort_membership.message).toMatch(
      /evaluation_templates\.csv, data row 2 \(line 3\), column "parser": evaluation template "v2" names the unknown parser "in_last_lines"/,
    );
    expect((errors.cohort_membership as Error & { hint?: string }).hint).toBe(
      "write one of: complex, in_last_line",
    );
    expect(
      fs.existsSync(path.join(cohortDir(metadata.cohort_id.cohort_id as string), "membership.csv")),
    ).toBe(false);
    expect(ws.instance.countDynamicPartitions("evaluation_gens")).toBe(0);
  });

  it("fails on a malformed raw CSV with the file, row and column", async () => {
    fs.writeFileSync(
      path.join(ws.root, "1_raw", "llm_models.csv"),
      "id,model,for_generation,for_evaluation\ngen-1,p/g,maybe,False\n",
    );
    const { errors } = await ws.run("cohort_id");
    expect(errors.cohort_id.message).toMatch(
      /llm_models\.csv, data row 1 \(line 2\), column "for_generation": expected a boolean, got "maybe"/,
    );
  });
});
