import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reserveGenId } from "../src/ids.ts";
import { openWorkspace, type Workspace } from "./helpers/materialize-helper.ts";
import { writeGen, writeSelectedEssays, writeToyChain } from "./helpers/raw-tree.ts";

let ws: Workspace;

beforeEach(() => {
  ws = openWorkspace("dd-e2e-curated-");
  writeToyChain(ws.root, "D1", "E1");
  writeToyChain(ws.root, "D2", "E2", { combo: "combo-b" });
});
afterEach(() => ws.close());

const membershipFile = (cohortId: string) => path.join(ws.root, "cohorts", cohortId, "membership.csv");
function rows(cohortId: string): string[][] {
  return fs
    .readFileSync(membershipFile(cohortId), "utf8")
    .trimEnd()
    .split("\n")
    .slice(1)
    .map((l) => l.split(","));
}

describe("Path A: a curated cohort from selected_essays.txt", () => {
  it("writes full rows for the selected essays, their drafts and evaluations, and registers the partitions", async () => {
    writeSelectedEssays(ws.root, "# curated\nE1\n\nE2\n");
    const { summary, metadata } = await ws.run("cohort_id,cohort_membership");
    expect(summary.status).toBe("succeeded");
    const cohortId = metadata.cohort_id.cohort_id as string;
    expect(metadata.cohort_id.mode).toBe("from_essays");
    const all = rows(cohortId);
    expect(all.filter((r) => r[0] === "draft").map((r) => r.slice(0, 8))).toEqual([
      ["draft", "D1", cohortId, "combo-a__d1__gen-1", "combo-a", "d1", "gen-1", "provider/gen-1"],
      ["draft", "D2", cohortId, "combo-b__d1__gen-1", "combo-b", "d1", "gen-1", "provider/gen-1"],
    ]);
    expect(all.filter((r) => r[0] === "essay").map((r) => [r[1], r[8], r[9], r[10]])).toEqual([
      ["E1", "combo-a__d1__gen-1__e1", "D1", "e1"],
      ["E2", "combo-b__d1__gen-1__e1", "D2", "e1"],
    ]);
    const evals = all.filter((r) => r[0] === "evaluation");
    expect(evals).toHaveLength(8);
    expect(evals[0][1]).toBe(reserveGenId("evaluation", "E1__v1__ev-1", { runId: cohortId }));
    expect(new Set(evals.map((r) => r[9]))).toEqual(new Set(["E1", "E2"]));
    expect(metadata.cohort_membership).toMatchObject({
      mode: "from_essays",
      selected_essays: 2,
      partitions_added: { draft: 2, essay: 2, evaluation: 8 },
    });
    expect(ws.instance.getDynamicPartitions("essay_gens")).toEqual(["E1", "E2"]);
    expect(ws.instance.countDynamicPartitions("evaluation_gens")).toBe(8);
    expect(fs.readFileSync(path.join(ws.root, "cohorts", cohortId, "cohort.yaml"), "utf8")).not.toContain(
      "regenerate",
    );
  });

  it("with regenerate: true gives every stage cohort-scoped ids, as the original did, and records it in cohort.yaml", async () => {
    writeSelectedEssays(ws.root, "E1\nE2\n");
    const { metadata } = await ws.run("cohort_id,cohort_membership", {
      cohort_membership: { regenerate: true },
    });
    const cohortId = metadata.cohort_id.cohort_id as string;
    const scoped = { runId: cohortId };
    const expected: string[][] = [];
    const evaluations: string[][] = [];
    for (const combo of ["combo-a", "combo-b"]) {
      const draftTask = `${combo}__d1__gen-1`;
      const essayTask = `${draftTask}__e1`;
      const draftId = reserveGenId("draft", draftTask, scoped);
      const essayId = reserveGenId("essay", essayTask, scoped);
      expected.push(
        [
          "draft",
          draftId,
          cohortId,
          draftTask,
          combo,
          "d1",
          "gen-1",
          "provider/gen-1",
          "",
          "",
          "",
          "",
          "",
          "",
          "",
          "",
        ],
        [
          "essay",
          essayId,
          cohortId,
          draftTask,
          combo,
          "d1",
          "gen-1",
          "provider/gen-1",
          essayTask,
          draftId,
          "e1",
          "",
          "",
          "",
          "",
          "",
        ],
      );
      for (const [tpl, parser] of [
        ["v1", "in_last_line"],
        ["v2", "complex"],
      ]) {
        for (const model of ["ev-1", "ev-2"]) {
          const task = `${essayId}__${tpl}__${model}`;
          evaluations.push([
            "evaluation",
            reserveGenId("evaluation", task, scoped),
            cohortId,
            "",
            "",
            "",
            "",
            "",
            "",
            essayId,
            "",
            task,
            tpl,
            model,
            `provider/${model}`,
            parser,
          ]);
        }
      }
    }
    // As the original wrote it: per selected essay its draft then its essay, all evaluations after.
    expect(rows(cohortId)).toEqual([...expected, ...evaluations]);
    expect(metadata.cohort_membership).toMatchObject({
      regenerate: true,
      regenerate_from: "run config",
      partitions_added: { draft: 2, essay: 2, evaluation: 8 },
    });
    expect(ws.instance.getDynamicPartitions("draft_gens")).toEqual(
      expected.filter((r) => r[0] === "draft").map((r) => r[1]),
    );
    expect(fs.readFileSync(path.join(ws.root, "cohorts", cohortId, "cohort.yaml"), "utf8")).toMatch(
      /\nregenerate: true\n$/,
    );
  });

  it("with regenerate: true writes a draft shared by two selected essays once, before the first of them", async () => {
    writeGen(ws.root, "essay", "E3", { parent_gen_id: "D1", template_id: "e2", model_id: "gen-1" });
    writeSelectedEssays(ws.root, "E2\nE1\nE3\nE1\n");
    const { metadata } = await ws.run("cohort_id,cohort_membership", {
      cohort_membership: { regenerate: true },
    });
    const cohortId = metadata.cohort_id.cohort_id as string;
    const scoped = { runId: cohortId };
    const draft = (combo: string) => reserveGenId("draft", `${combo}__d1__gen-1`, scoped);
    const essay = (combo: string, tpl: string) =>
      reserveGenId("essay", `${combo}__d1__gen-1__${tpl}`, scoped);
    const written = rows(cohortId).map((r) => `${r[0]} ${r[1]}`);
    expect(written.slice(0, 5)).toEqual([
      `draft ${draft("combo-b")}`,
      `essay ${essay("combo-b", "e1")}`,
      `draft ${draft("combo-a")}`,
      `essay ${essay("combo-a", "e1")}`,
      `essay ${essay("combo-a", "e2")}`,
    ]);
    expect(written.slice(5)).toHaveLength(3 * 4);
    expect(written.slice(5).every((w) => w.startsWith("evaluation "))).toBe(true);
  });

  it("keeps regenerate from cohort.yaml on a plain re-run, until the run config says false", async () => {
    writeSelectedEssays(ws.root, "E1\n");
    const first = await ws.run("cohort_id,cohort_membership", { cohort_membership: { regenerate: true } });
    const cohortId = first.metadata.cohort_id.cohort_id as string;
    const before = fs.readFileSync(membershipFile(cohortId), "utf8");
    const again = await ws.run("cohort_id,cohort_membership");
    expect(again.metadata.cohort_membership).toMatchObject({
      regenerate: true,
      regenerate_from: "cohort.yaml",
      membership_changed: false,
    });
    expect(fs.readFileSync(membershipFile(cohortId), "utf8")).toBe(before);
    const off = await ws.run("cohort_membership", { cohort_membership: { regenerate: false } });
    expect(off.metadata.cohort_membership).toMatchObject({
      regenerate: false,
      regenerate_from: "run config",
    });
    expect(
      rows(cohortId)
        .filter((r) => r[0] !== "evaluation")
        .map((r) => r[1]),
    ).toEqual(["D1", "E1"]);
    expect(fs.readFileSync(path.join(ws.root, "cohorts", cohortId, "cohort.yaml"), "utf8")).not.toContain(
      "regenerate",
    );
  });

  it("with regenerate, fails when a template of the chain has no file, writing no membership", async () => {
    writeGen(ws.root, "draft", "D9", { combo_id: "combo-a", template_id: "d-off", model_id: "gen-1" });
    writeGen(ws.root, "essay", "E9", { parent_gen_id: "D9", template_id: "e1", model_id: "gen-1" });
    writeSelectedEssays(ws.root, "E9\n");
    const { errors, metadata } = await ws.run("cohort_id,cohort_membership", {
      cohort_membership: { regenerate: true },
    });
    expect(errors.cohort_membership.message).toMatch(
      /draft_templates\.csv, data row 2 \(line 3\), column "template_id": draft template "d-off" has no template file .*d-off\.txt/,
    );
    expect(fs.existsSync(membershipFile(metadata.cohort_id.cohort_id as string))).toBe(false);
  });

  it("after the selection shrinks, adds and removes nothing and says so", async () => {
    writeSelectedEssays(ws.root, "E1\nE2\n");
    await ws.run("cohort_id,cohort_membership");
    writeSelectedEssays(ws.root, "E1\n");
    const { metadata } = await ws.run("cohort_id,cohort_membership");
    expect(metadata.cohort_membership.partitions_added).toEqual({ draft: 0, essay: 0, evaluation: 0 });
    expect(metadata.cohort_membership.dropped_from_previous_membership).toEqual({
      draft: 1,
      essay: 1,
      evaluation: 4,
    });
    expect(String(metadata.cohort_membership.note)).toMatch(
      /the selection shrank: 6 gen_id\(s\).*nothing was removed/,
    );
    expect(ws.instance.getDynamicPartitions("essay_gens")).toEqual(["E1", "E2"]);
    expect(rows(metadata.cohort_id.cohort_id as string).filter((r) => r[0] === "essay")).toHaveLength(1);
  });

  it("switches to the Cartesian path when selected_essays.txt is removed", async () => {
    writeSelectedEssays(ws.root, "E1\n");
    await ws.run("cohort_id,cohort_membership");
    fs.rmSync(path.join(ws.root, "2_tasks", "selected_essays.txt"));
    const { metadata } = await ws.run("cohort_id,cohort_membership");
    expect(metadata.cohort_membership).toMatchObject({
      mode: "cartesian",
      rows_per_stage: { draft: 2, essay: 4, evaluation: 16 },
    });
  });

  it("says so when a draft gen_id is listed instead of an essay gen_id", async () => {
    writeSelectedEssays(ws.root, "E1\nD2\n");
    const { errors } = await ws.run("cohort_id,cohort_membership");
    expect(errors.cohort_membership.message).toMatch(
      /^selected essay D2: D2 is a draft gen_id \(.*gens\/draft\/D2\), not an essay gen_id$/,
    );
    expect((errors.cohort_membership as Error & { hint?: string }).hint).toMatch(/data\/gens\/essay/);
  });

  it("fails naming the essay and the missing field when its metadata is incomplete", async () => {
    const file = path.join(ws.root, "gens", "draft", "D2", "metadata.json");
    const meta = JSON.parse(fs.readFileSync(file, "utf8"));
    delete meta.combo_id;
    fs.writeFileSync(file, JSON.stringify(meta));
    writeSelectedEssays(ws.root, "E1\nE2\n");
    const { errors, metadata } = await ws.run("cohort_id,cohort_membership");
    expect(errors.cohort_membership.message).toMatch(
      /selected essay E2: metadata field draft\.combo_id is missing or empty/,
    );
    expect(fs.existsSync(membershipFile(metadata.cohort_id.cohort_id as string))).toBe(false);
    expect(ws.instance.countDynamicPartitions("draft_gens")).toBe(0);
  });
});

describe("parent integrity through the task tables", () => {
  it("fails on a hand-edited membership missing a draft parent, writing no task table", async () => {
    const { metadata } = await ws.run("cohort_id,cohort_membership");
    const file = membershipFile(metadata.cohort_id.cohort_id as string);
    const lines = fs.readFileSync(file, "utf8").split("\n");
    fs.writeFileSync(file, lines.filter((l) => !l.startsWith("draft,")).join("\n"));
    const { errors, summary } = await ws.run(
      "draft_generation_tasks,essay_generation_tasks,evaluation_tasks",
    );
    expect(summary.status).toBe("failed");
    expect(errors.essay_generation_tasks.message).toMatch(
      /4 essay row\(s\) without their parent draft, 0 evaluation row\(s\)/,
    );
    expect(errors.essay_generation_tasks.message).toMatch(
      /first 4 offending row\(s\): essay \w+ \(line 2\) has parent_gen_id "\w+", not a draft gen_id/,
    );
    expect(fs.existsSync(path.join(ws.root, "2_tasks", "essay_generation_tasks.csv"))).toBe(false);
    expect(fs.existsSync(path.join(ws.root, "2_tasks", "draft_generation_tasks.csv"))).toBe(false);
  });

  it("fails on a hand-edited membership missing an essay parent, writing no task table", async () => {
    const { metadata } = await ws.run("cohort_id,cohort_membership");
    const file = membershipFile(metadata.cohort_id.cohort_id as string);
    const lines = fs.readFileSync(file, "utf8").split("\n");
    const firstEssay = lines.findIndex((l) => l.startsWith("essay,"));
    fs.writeFileSync(file, lines.filter((_, i) => i !== firstEssay).join("\n"));
    const { errors } = await ws.run("evaluation_tasks");
    expect(errors.evaluation_tasks.message).toMatch(
      /0 essay row\(s\) without their parent draft, 4 evaluation row\(s\) without their parent essay/,
    );
    expect(fs.existsSync(path.join(ws.root, "2_tasks", "evaluation_tasks.csv"))).toBe(false);
  });

  it("rejects a curated essay whose parent draft is gone, writing no membership and registering nothing", async () => {
    fs.rmSync(path.join(ws.root, "gens", "draft", "D1"), { recursive: true });
    writeSelectedEssays(ws.root, "E1\n");
    const { errors, metadata } = await ws.run("cohort_id,cohort_membership");
    expect(errors.cohort_membership.message).toMatch(/selected essay E1: its parent draft D1 cannot be read/);
    expect(fs.existsSync(membershipFile(metadata.cohort_id.cohort_id as string))).toBe(false);
    expect(ws.instance.countDynamicPartitions("essay_gens")).toBe(0);
  });
});

describe("task tables without a membership", () => {
  it("fail telling the user to materialize cohort_membership first", async () => {
    await ws.run("cohort_id");
    const { errors } = await ws.run("draft_generation_tasks");
    expect(errors.draft_generation_tasks.message).toMatch(/no membership for cohort cohort-\w+/);
    expect((errors.draft_generation_tasks as Error & { hint?: string }).hint).toMatch(
      /materialize cohort_membership first/,
    );
  });

  it("fall back to the active axes with DD_ALLOW_LEGACY_TASKS=1", async () => {
    await ws.run("cohort_id");
    process.env.DD_ALLOW_LEGACY_TASKS = "1";
    try {
      const { metadata } = await ws.run("evaluation_tasks");
      expect(metadata.evaluation_tasks).toMatchObject({
        source: "legacy_active_axes",
        task_count: 16,
        partitions_added: 16,
      });
    } finally {
      delete process.env.DD_ALLOW_LEGACY_TASKS;
    }
  });

  it("tell the user to materialize cohort_membership first when cohort_id was never materialized either", async () => {
    const { errors } = await ws.run("draft_generation_tasks");
    expect(errors.draft_generation_tasks.message).toMatch(/no membership for cohort cohort-[0-9a-f]{12}/);
    expect((errors.draft_generation_tasks as Error & { hint?: string }).hint).toMatch(
      /materialize cohort_membership first/,
    );
  });
});
