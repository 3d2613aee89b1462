/**
 * A membership that fails, through the `assets` binary: its parent-integrity report is in
 * the terminal and in --json (not only in the run log), generation does not go on from the
 * task tables an earlier membership left, and a failed cohort_id,cohort_membership run
 * leaves data/cohorts/cohort_id.txt as it was.
 */
import fs from "node:fs";
import path from "node:path";
import type { RunSummary } from "@daydream/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { materializeOk, runCli, writeProjectConfig } from "./generation/helpers/cli.ts";
import { membershipRows, type TempProject, tempProject } from "./generation/helpers/data-root.ts";

let project: TempProject;
beforeEach(() => {
  project = tempProject("dd-membership-failure-");
  writeProjectConfig(project.dir);
});
afterEach(() => project.cleanup());

const BUILD = ["--select", "cohort_id,cohort_membership,group:task_definitions"];
const cohortIdFile = () => path.join(project.dataRoot, "cohorts", "cohort_id.txt");
const failureFile = () => path.join(project.dataRoot, "cohorts", "cohort_membership.failed.json");
const draftPrompts = () => {
  const dir = path.join(project.dataRoot, "gens", "draft");
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};

async function materializeJson(args: string[], env: Record<string, string> = {}) {
  const res = await runCli(project.dir, ["materialize", ...args, "--json"], env);
  return { code: res.code, summary: JSON.parse(res.stdout) as RunSummary };
}

function failureOf(summary: RunSummary, assetKey: string) {
  const failure = summary.failures.find((f) => f.assetKey === assetKey);
  if (!failure) throw new Error(`no failure of ${assetKey} in ${JSON.stringify(summary.failures)}`);
  return failure;
}

describe("a membership.csv edited into breaking parent integrity", () => {
  it("is reported with counts and the first rows (line numbers) in the terminal and --json, and stops generation", async () => {
    await materializeOk(project.dir, BUILD);
    const rows = membershipRows(project.dataRoot);
    const cohortId = rows[0].cohort_id;
    const file = path.join(project.dataRoot, "cohorts", cohortId, "membership.csv");
    const original = fs.readFileSync(file, "utf8");
    // Drop the two draft rows (lines 2 and 3): the four essays (then lines 2 to 5) lose their parents.
    const lines = original.split("\n");
    fs.writeFileSync(file, [lines[0], ...lines.slice(3)].join("\n"));
    const essays = rows.filter((r) => r.stage === "essay");
    const report =
      `cohort ${cohortId}: parent integrity violated in data/cohorts/${cohortId}/membership.csv: ` +
      "4 essay row(s) without their parent draft, 0 evaluation row(s) without their parent essay; " +
      "first 4 offending row(s): " +
      essays
        .map(
          (e, i) =>
            `essay ${e.gen_id} (line ${i + 2}) has parent_gen_id "${e.parent_gen_id}", not a draft gen_id of the cohort`,
        )
        .join("; ");

    const text = await runCli(project.dir, ["materialize", "--select", "group:task_definitions"]);
    expect(text.code).toBe(2);
    expect(text.stdout).toContain(`✗ essay_generation_tasks: ${report}\n`);
    const json = await materializeJson(["--select", "group:task_definitions"]);
    expect(json.code).toBe(2);
    expect(failureOf(json.summary, "essay_generation_tasks").error).toBe(report);

    // The task tables of the valid membership are still there, but nothing is generated from them:
    // `--missing` plans the failed task table again (it is not materialized), which fails the same way.
    const prompts = await materializeJson(["--select", "draft_prompt", "--missing"]);
    expect(prompts.code).toBe(2);
    expect(failureOf(prompts.summary, "draft_generation_tasks").error).toBe(report);
    expect(prompts.summary.failures.map((f) => f.assetKey)).not.toContain("draft_prompt");
    expect(prompts.summary.succeeded).toBe(0);
    expect(draftPrompts()).toEqual([]);

    // Fixed by hand: the tables project again and generation goes on.
    fs.writeFileSync(file, original);
    await materializeOk(project.dir, ["--select", "group:task_definitions"]);
    expect(fs.existsSync(failureFile())).toBe(false);
    const again = await materializeOk(project.dir, ["--select", "draft_prompt", "--missing"]);
    expect(again).toMatchObject({ status: "succeeded", succeeded: 2 });
  });
});

describe("a cohort_id,cohort_membership run whose membership fails", () => {
  it("leaves cohort_id.txt at the previous cohort and refuses task tables and generation until a membership succeeds", async () => {
    await materializeOk(project.dir, BUILD);
    const previous = fs.readFileSync(cohortIdFile(), "utf8");
    const tables = fs.readFileSync(
      path.join(project.dataRoot, "2_tasks", "draft_generation_tasks.csv"),
      "utf8",
    );
    fs.writeFileSync(path.join(project.dataRoot, "2_tasks", "selected_essays.txt"), "no-such-essay\n");

    const failed = await materializeJson(["--select", "cohort_id,cohort_membership"], {
      DD_COHORT: "cohort-next",
    });
    expect(failed.code).toBe(2);
    expect(failed.summary.succeeded).toBe(1);
    expect(failureOf(failed.summary, "cohort_membership").error).toMatch(/^selected essay no-such-essay: /);
    expect(fs.readFileSync(cohortIdFile(), "utf8")).toBe(previous);
    expect(JSON.parse(fs.readFileSync(failureFile(), "utf8"))).toMatchObject({
      cohort_id: "cohort-next",
      run_id: failed.summary.runId,
      step: "cohort_membership",
    });

    for (const args of [["draft_prompt", "--missing"], ["group:task_definitions"]]) {
      const refused = await materializeJson(["--select", ...args]);
      expect(refused.code).toBe(2);
      expect(refused.summary.failures.length).toBeGreaterThan(0);
      for (const f of refused.summary.failures) {
        expect(f.error).toMatch(
          new RegExp(
            `^the last cohort_membership \\(cohort cohort-next, run ${failed.summary.runId}\\) failed: selected essay no-such-essay: `,
          ),
        );
        expect(f.hint).toMatch(
          /build the cohort again: npx assets materialize --select cohort_id,cohort_membership,group:task_definitions/,
        );
      }
    }
    expect(draftPrompts()).toEqual([]);
    expect(
      fs.readFileSync(path.join(project.dataRoot, "2_tasks", "draft_generation_tasks.csv"), "utf8"),
    ).toBe(tables);

    fs.rmSync(path.join(project.dataRoot, "2_tasks", "selected_essays.txt"));
    await materializeOk(project.dir, BUILD, { DD_COHORT: "cohort-next" });
    expect(fs.readFileSync(cohortIdFile(), "utf8")).toBe("cohort-next");
    expect(fs.existsSync(failureFile())).toBe(false);
  });

  it("on a fresh data root leaves no cohort_id.txt behind", async () => {
    fs.writeFileSync(path.join(project.dataRoot, "2_tasks", "selected_essays.txt"), "no-such-essay\n");
    const failed = await materializeJson(["--select", "cohort_id,cohort_membership"]);
    expect(failed.code).toBe(2);
    expect(failed.summary.succeeded).toBe(1);
    expect(fs.existsSync(cohortIdFile())).toBe(false);
  });
});
