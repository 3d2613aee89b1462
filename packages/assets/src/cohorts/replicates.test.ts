import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  smallSpec,
  type TempDir,
  tempDir,
  writeGen,
  writeRawTree,
  writeToyChain,
} from "../../tests/helpers/raw-tree.ts";
import { REPLICATE_FIXTURES, writeReplicateTree } from "../../tests/helpers/replicate-tree.ts";
import { thrown } from "../../tests/helpers/thrown.ts";
import type { Stage } from "../config/paths.ts";
import { reserveGenId } from "../ids.ts";
import { RawInputError } from "../raw/errors.ts";
import { readReplicationConfig } from "../raw/replication-config.ts";
import { buildMembership } from "./membership.ts";
import { readMembershipCsv, writeMembershipCsv } from "./membership-file.ts";
import { GEN_ID, type Membership, PARENT_GEN_ID, rowReplicate, STAGE_COLUMNS } from "./membership-schema.ts";

let tmp: TempDir;
let root: string;

beforeEach(() => {
  tmp = tempDir("dd-replicates-");
  root = path.join(tmp.dir, "data");
});
afterEach(() => tmp.cleanup());

const fixture = (name: string) => fs.readFileSync(path.join(REPLICATE_FIXTURES, name), "utf8");

/** normalized_ext.csv as records (its cells hold no commas). */
function vectorRows(): Record<string, string>[] {
  const [header, ...lines] = fixture("normalized_ext.csv").trimEnd().split("\n");
  const columns = header.split(",");
  return lines.map((line) => Object.fromEntries(line.split(",").map((cell, k) => [columns[k], cell])));
}

/** Every row of the membership in membership.csv order: stage, gen_id, parent, replicate, task id. */
function flatten(m: Membership) {
  return (["draft", "essay", "evaluation"] as Stage[]).flatMap((stage) =>
    m.rows[stage].map((row) => ({
      stage,
      gen_id: row[GEN_ID],
      parent_gen_id: stage === "draft" ? "" : row[PARENT_GEN_ID],
      replicate: String(rowReplicate(stage, row)),
      task_id: row[2],
    })),
  );
}

function writeConfig(text: string): void {
  fs.writeFileSync(path.join(root, "1_raw", "replication_config.csv"), text);
}

function writtenMembership(m: Membership): string {
  const file = path.join(tmp.dir, `${m.cohortId}.membership.csv`);
  writeMembershipCsv(file, m);
  return fs.readFileSync(file, "utf8");
}

describe("Cartesian replicates (the original's vectors)", () => {
  it("reproduces every gen_id, parent, replicate and task id of normalized_ext.csv, in its order", () => {
    writeReplicateTree(root, fixture("replication_config.csv"));
    const { membership } = buildMembership(root, "golden-cartesian");
    const expected = vectorRows().map((v) => ({
      stage: v.stage,
      gen_id: v.gen_id,
      parent_gen_id: v.parent_gen_id,
      replicate: v.replicate,
      task_id: v.hash_task_id,
    }));
    expect(expected).toHaveLength(8 + 48 + 384);
    expect(flatten(membership)).toEqual(expected);
  });

  it("derives each gen_id from the vector's task id and salt", () => {
    for (const v of vectorRows()) {
      const salt = v.salt === "" ? undefined : v.salt;
      expect(reserveGenId(v.stage, v.hash_task_id, { runId: "golden-cartesian", salt })).toBe(v.gen_id);
    }
  });

  it("writes the replicate column last in membership.csv and reads it back", () => {
    writeReplicateTree(root, fixture("replication_config.csv"));
    const { membership } = buildMembership(root, "golden-cartesian");
    const text = writtenMembership(membership);
    const [header, firstDraft] = text.split("\n");
    expect(header.split(",").at(-1)).toBe("replicate");
    expect(firstDraft).toMatch(/^draft,3bzbw799rp7dlf5w,.*,1$/);
    const back = readMembershipCsv(path.join(tmp.dir, "golden-cartesian.membership.csv"), "golden-cartesian");
    expect(back.replicated).toBe(true);
    expect(back.rows).toEqual(membership.rows);
  });

  it("without replication_config.csv writes the golden membership byte for byte", () => {
    writeReplicateTree(root);
    const build = buildMembership(root, "golden-cartesian");
    expect(build.replication).toBeUndefined();
    expect(build.membership.replicated).toBeUndefined();
    expect(writtenMembership(build.membership)).toBe(fixture("golden-cartesian.membership.csv"));
  });

  it("with all replicates 1 keeps every gen_id and row of the golden membership, plus a replicate column of 1s", () => {
    writeReplicateTree(root, "stage,replicates\ndraft,1\nessay,1\nevaluation,1\n");
    const text = writtenMembership(buildMembership(root, "golden-cartesian").membership);
    const golden = fixture("golden-cartesian.membership.csv").trimEnd().split("\n");
    const expected = [`${golden[0]},replicate`, ...golden.slice(1).map((line) => `${line},1`)];
    expect(text.trimEnd().split("\n")).toEqual(expected);
  });

  it("salts drafts rep{dr} and essays rep{dr}-{er}, keeping task ids", () => {
    writeReplicateTree(root, "stage,replicates\ndraft,2\nessay,2\nevaluation,1\n");
    const { membership } = buildMembership(root, "cohort-r");
    const taskId = "combo_v1_e602b836eda3__idea-sketch__gen-alpha";
    const [d1, d2] = membership.rows.draft;
    expect(d1[GEN_ID]).toBe(reserveGenId("draft", taskId, { runId: "cohort-r" }));
    expect(d2[GEN_ID]).toBe(reserveGenId("draft", taskId, { runId: "cohort-r", salt: "rep2" }));
    expect([d1[2], d2[2], rowReplicate("draft", d2)]).toEqual([taskId, taskId, 2]);
    const essaysOf = (draft: string[]) =>
      membership.rows.essay.filter((e) => e[PARENT_GEN_ID] === draft[GEN_ID] && e[7] === "essay-plain");
    const salts = (draft: string[]) =>
      essaysOf(draft).map((e) =>
        [undefined, "rep1-2", "rep2-1", "rep2-2"].find(
          (salt) =>
            reserveGenId("essay", `${taskId}__essay-plain`, { runId: "cohort-r", salt }) === e[GEN_ID],
        ),
      );
    expect(salts(d1)).toEqual([undefined, "rep1-2"]);
    expect(salts(d2)).toEqual(["rep2-1", "rep2-2"]);
    expect(membership.rows.evaluation).toHaveLength(8 * 2 * 2 * 2 * 4);
  });
});

describe("replication_config.csv", () => {
  beforeEach(() => writeRawTree(root, smallSpec()));

  it("trims stage names and takes the last row of a repeated stage", () => {
    writeConfig("stage,replicates\n draft ,1\nessay,2\nevaluation,5\nevaluation,3\n");
    expect(readReplicationConfig(root)?.replicates).toEqual({ draft: 1, essay: 2, evaluation: 3 });
  });

  it.each([
    ["0", 'replicates of stage evaluation must be a whole number >= 1, got "0"'],
    ["2.5", 'got "2.5"'],
    ["three", 'got "three"'],
    ["", 'got ""'],
  ])("refuses replicates %j naming the file, row and value", (value, message) => {
    writeConfig(`stage,replicates\ndraft,1\nessay,1\nevaluation,${value}\n`);
    const err = thrown(() => buildMembership(root, "cohort-x"), RawInputError);
    expect(err.message).toContain('replication_config.csv, data row 3 (line 4), column "replicates"');
    expect(err.message).toContain(message);
    expect(err.code).toBe("REPLICATION_CONFIG_INVALID");
  });

  it("refuses a missing stage row and an unknown stage", () => {
    writeConfig("stage,replicates\ndraft,1\nevaluation,2\n");
    const missing = thrown(() => readReplicationConfig(root), RawInputError);
    expect(missing.message).toMatch(/replication_config\.csv: no row for stage essay$/);
    expect(missing.hint).toContain("delete");
    writeConfig("stage,replicates\ndraft,1\nessays,1\nevaluation,1\n");
    expect(thrown(() => readReplicationConfig(root), RawInputError).message).toContain(
      'data row 2 (line 3), column "stage": unknown stage "essays"',
    );
  });
});

describe("curated replicates", () => {
  const ESSAY_TASK = "combo-a__d1__gen-1__e1";
  const selection = (ids: string[]) => `${ids.join("\n")}\n`;

  beforeEach(() => {
    writeRawTree(root, smallSpec());
    writeToyChain(root, "D1", "E1");
    fs.writeFileSync(path.join(root, "2_tasks", "selected_essays.txt"), selection(["E1"]));
  });

  const evaluationsPerEssay = 2 * 2; // active evaluation templates x evaluation models of smallSpec

  it("regenerate: one unsalted draft, essays salted rep{er} from 1 on, evaluations rep{r} from 2 on", () => {
    writeConfig("stage,replicates\ndraft,4\nessay,2\nevaluation,3\n");
    const { membership } = buildMembership(root, "cohort-c", { regenerate: true });
    const draftTask = "combo-a__d1__gen-1";
    expect(membership.rows.draft.map((r) => [r[GEN_ID], rowReplicate("draft", r)])).toEqual([
      [reserveGenId("draft", draftTask, { runId: "cohort-c" }), 1],
    ]);
    expect(membership.rows.essay.map((r) => [r[GEN_ID], r[2], rowReplicate("essay", r)])).toEqual([
      [reserveGenId("essay", ESSAY_TASK, { runId: "cohort-c", salt: "rep1" }), ESSAY_TASK, 1],
      [reserveGenId("essay", ESSAY_TASK, { runId: "cohort-c", salt: "rep2" }), ESSAY_TASK, 2],
    ]);
    const evaluations = membership.rows.evaluation;
    expect(evaluations).toHaveLength(2 * evaluationsPerEssay * 3);
    const first = membership.rows.essay[0][GEN_ID];
    const task = `${first}__v1__ev-1`;
    expect(evaluations.slice(0, 3).map((r) => [r[GEN_ID], r[2], rowReplicate("evaluation", r)])).toEqual([
      [reserveGenId("evaluation", task, { runId: "cohort-c" }), task, 1],
      [reserveGenId("evaluation", task, { runId: "cohort-c", salt: "rep2" }), task, 2],
      [reserveGenId("evaluation", task, { runId: "cohort-c", salt: "rep3" }), task, 3],
    ]);
  });

  it("regenerate with one essay replicate: the essay is not salted", () => {
    writeConfig("stage,replicates\ndraft,1\nessay,1\nevaluation,2\n");
    const { membership } = buildMembership(root, "cohort-c", { regenerate: true });
    expect(membership.rows.essay.map((r) => r[GEN_ID])).toEqual([
      reserveGenId("essay", ESSAY_TASK, { runId: "cohort-c" }),
    ]);
  });

  it("evaluate-only: the selected drafts and essays as they are, only evaluations replicated; shared drafts once", () => {
    writeGen(root, "essay", "E2", {
      parent_gen_id: "D1",
      template_id: "e2",
      model_id: "gen-1",
      task_id: "combo-a__d1__gen-1__e2",
      cohort_id: "cohort-old",
    });
    fs.writeFileSync(path.join(root, "2_tasks", "selected_essays.txt"), selection(["E1", "E2"]));
    writeConfig("stage,replicates\ndraft,3\nessay,3\nevaluation,2\n");
    const { membership } = buildMembership(root, "cohort-c");
    expect(membership.rows.draft.map((r) => [r[GEN_ID], rowReplicate("draft", r)])).toEqual([["D1", 1]]);
    expect(membership.rows.essay.map((r) => [r[GEN_ID], rowReplicate("essay", r)])).toEqual([
      ["E1", 1],
      ["E2", 1],
    ]);
    expect(membership.rows.evaluation).toHaveLength(2 * evaluationsPerEssay * 2);
    expect(membership.rows.evaluation.map((r) => rowReplicate("evaluation", r)).slice(0, 4)).toEqual([
      1, 2, 1, 2,
    ]);
    expect(STAGE_COLUMNS.draft).toHaveLength(membership.rows.draft[0].length - 1);
  });
});
