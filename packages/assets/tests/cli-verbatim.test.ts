/**
 * The commands users are told to run (issue 3), verbatim through the `assets` binary, in a
 * project whose data root is a copy of the repository's sample data as a fresh clone has it:
 * no cohort, no task tables, no generations, cohort_id never materialized.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, writeProjectConfig } from "./generation/helpers/cli.ts";
import { readSimpleCsv } from "./generation/helpers/data-root.ts";

const SAMPLE_DATA = path.resolve(import.meta.dirname, "../../../data");
/** What running the pipeline writes under data/ (git-ignored): absent from a fresh clone. */
const OUTPUTS = [/^cohorts(\/|$)/, /^gens(\/|$)/, /^7_cross_experiment(\/|$)/, /^2_tasks\/.*_tasks\.csv$/];
const OUTPUT_FILES = ["2_tasks/selected_essays.txt"];

function freshCloneProject(prefix: string): { dir: string; data: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const data = path.join(dir, "data");
  fs.cpSync(SAMPLE_DATA, data, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(SAMPLE_DATA, src).split(path.sep).join("/");
      return !OUTPUTS.some((re) => re.test(rel)) && !OUTPUT_FILES.includes(rel);
    },
  });
  writeProjectConfig(dir);
  return { dir, data, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The one cohort directory under data/cohorts. */
function onlyCohort(data: string): string {
  const ids = fs
    .readdirSync(path.join(data, "cohorts"), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe("the README's commands, verbatim, on a fresh clone", () => {
  let project: ReturnType<typeof freshCloneProject>;
  let cohortId: string;
  const run = (...args: string[]) => runCli(project.dir, args);

  beforeAll(() => {
    project = freshCloneProject("dd-cli-verbatim-");
  });
  afterAll(() => project.cleanup());

  it("npx assets materialize --select cohort_membership derives the cohort id and writes the membership", async () => {
    expect(fs.existsSync(path.join(project.data, "cohorts"))).toBe(false);
    const res = await run("materialize", "--select", "cohort_membership");
    expect(res.stderr).not.toContain("✗");
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/succeeded in .*\n {2}1 succeeded, 0 failed, 0 skipped/);
    cohortId = onlyCohort(project.data);
    expect(cohortId).toMatch(/^cohort-[0-9a-f]{12}$/);
    for (const file of ["manifest.json", "cohort.yaml", "membership.csv"]) {
      expect(fs.existsSync(path.join(project.data, "cohorts", cohortId, file)), file).toBe(true);
    }
    // derived, not stored: cohort_id itself stays unmaterialized
    expect(fs.existsSync(path.join(project.data, "cohorts", "cohort_id.txt"))).toBe(false);
    const logPath = /\((\S+\.jsonl)\)/.exec(res.stdout)?.[1];
    expect(logPath).toBeDefined();
    expect(fs.readFileSync(logPath!, "utf8")).toContain("cohort_id has not been materialized");
  });

  it("npx assets materialize --select group:task_definitions then projects the task tables", async () => {
    const res = await run("materialize", "--select", "group:task_definitions");
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/5 succeeded, 0 failed/);
    for (const table of ["draft_generation_tasks", "essay_generation_tasks", "evaluation_tasks"]) {
      const rows = readSimpleCsv(path.join(project.data, "2_tasks", `${table}.csv`));
      expect(rows.length, table).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.cohort_id)), table).toEqual(new Set([cohortId]));
    }
  });

  describe("npx assets materialize --select evaluation_response --partition <gen_id>", () => {
    let evaluation: Record<string, string>;
    let essay: Record<string, string>;

    beforeAll(() => {
      evaluation = readSimpleCsv(path.join(project.data, "2_tasks", "evaluation_tasks.csv"))[0];
      essay = readSimpleCsv(path.join(project.data, "2_tasks", "essay_generation_tasks.csv")).find(
        (r) => r.gen_id === evaluation.parent_gen_id,
      )!;
      expect(essay).toBeDefined();
    });

    it("builds the draft, essay and prompt the evaluation reads, then the evaluation, in one command", async () => {
      const g = evaluation.gen_id;
      const res = await run("materialize", "--select", "evaluation_response", "--partition", g);
      expect(res.code).toBe(0);
      // draft_prompt, draft_response, essay_prompt, essay_response, evaluation_prompt, evaluation_response
      expect(res.stdout).toMatch(/ 6 succeeded, 0 failed/);
      for (const [stage, id] of [
        ["draft", essay.parent_gen_id],
        ["essay", essay.gen_id],
        ["evaluation", g],
      ]) {
        expect(fs.readFileSync(path.join(project.data, "gens", stage, id, "parsed.txt"), "utf8")).not.toBe(
          "",
        );
      }
      const metadata = JSON.parse(
        fs.readFileSync(path.join(project.data, "gens", "evaluation", g, "metadata.json"), "utf8"),
      ) as Record<string, unknown>;
      expect(metadata).toMatchObject({
        stage: "evaluation",
        gen_id: g,
        parent_gen_id: essay.gen_id,
        cohort_id: cohortId,
      });
    });

    it("run again, materializes only the evaluation: what it reads exists now", async () => {
      const g = evaluation.gen_id;
      const res = await run("materialize", "--select", "evaluation_response", "--partition", g);
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/ 1 succeeded, 0 failed/);
    });
  });
});

describe("npx assets materialize --select group:task_definitions before cohort_membership, on a fresh clone", () => {
  let project: ReturnType<typeof freshCloneProject>;

  beforeAll(() => {
    project = freshCloneProject("dd-cli-tasks-first-");
  });
  afterAll(() => project.cleanup());

  it("fails (exit 2: every failure is a usage error) telling the user to materialize cohort_membership first, without a stack trace", async () => {
    const res = await runCli(project.dir, ["materialize", "--select", "group:task_definitions"]);
    expect(res.code).toBe(2);
    expect(res.stdout).toMatch(/2 succeeded, 3 failed/);
    const cohortId = onlyCohort(project.data);
    for (const table of ["draft_generation_tasks", "essay_generation_tasks", "evaluation_tasks"]) {
      expect(res.stdout).toContain(
        `✗ ${table}: no membership for cohort ${cohortId}: data/cohorts/${cohortId}/membership.csv does not exist\n` +
          "      hint: materialize cohort_membership first (npx assets materialize --select cohort_membership)",
      );
    }
    expect(res.stdout + res.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(project.data, "2_tasks", "draft_generation_tasks.csv"))).toBe(false);
  });
});
