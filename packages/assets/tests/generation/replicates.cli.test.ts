/**
 * Replicates and results across cohorts, end to end through the `assets` binary: a Cartesian
 * cohort with replication_config.csv (essay 2, evaluation 3) generated offline, its
 * replicates recorded in membership.csv, the task tables and every metadata.json; its
 * parsed_scores and score_pivot per cohort; then a second (curated) cohort whose scores join
 * the first's in data/7_cross_experiment/parsed_scores.csv, where select-top can pick either.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childEnv, materializeOk, writeProjectConfig } from "./helpers/cli.ts";
import { readSimpleCsv, type TempProject, tempProject } from "./helpers/data-root.ts";

const GENERATION = "group:generation_draft,group:generation_essays,group:evaluation";
const SELECT_TOP = path.resolve(import.meta.dirname, "../../../../scripts/select-top.ts");
let project: TempProject;

beforeAll(() => {
  project = tempProject("gen-replicates-");
  writeProjectConfig(project.dir);
  fs.writeFileSync(
    path.join(project.dataRoot, "1_raw", "replication_config.csv"),
    "stage,replicates\ndraft,1\nessay,2\nevaluation,3\n",
  );
});
afterAll(() => project.cleanup());

const cohortFile = (cohortId: string, name: string) => path.join(project.dataRoot, "cohorts", cohortId, name);
const crossScores = () => path.join(project.dataRoot, "7_cross_experiment", "parsed_scores.csv");

function meta(stage: string, genId: string): Record<string, unknown> {
  return JSON.parse(
    fs.readFileSync(path.join(project.dataRoot, "gens", stage, genId, "metadata.json"), "utf8"),
  );
}

function selectTop(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", SELECT_TOP, ...args], {
    cwd: path.resolve(import.meta.dirname, "../../../.."),
    env: childEnv({ DD_DATA_ROOT: project.dataRoot }),
    encoding: "utf8",
  });
}

describe("replicates through the CLI", () => {
  let first: string;

  it("generates every replicate and records it in membership, task tables and metadata.json", async () => {
    await materializeOk(project.dir, ["--select", "cohort_id,cohort_membership,group:task_definitions"], {
      DD_COHORT: "cohort-reps",
    });
    first = "cohort-reps";
    const rows = readSimpleCsv(cohortFile(first, "membership.csv"));
    const count = (stage: string) => rows.filter((r) => r.stage === stage).length;
    // 2 drafts; x 2 essay templates x 2 replicates; x 2 evaluation templates x 1 evaluator x 3 replicates
    expect([count("draft"), count("essay"), count("evaluation")]).toEqual([2, 8, 48]);
    expect(Object.keys(rows[0]).at(-1)).toBe("replicate");
    const evalTable = readSimpleCsv(path.join(project.dataRoot, "2_tasks", "evaluation_tasks.csv"));
    expect(evalTable.map((r) => r.replicate)).toEqual(
      rows.filter((r) => r.stage === "evaluation").map((r) => r.replicate),
    );

    const run = await materializeOk(
      project.dir,
      ["--select", `${GENERATION},parsed_scores,score_pivot`, "--missing"],
      {
        DD_COHORT: first,
      },
    );
    expect(run.status).toBe("succeeded");
    for (const r of rows) expect(meta(r.stage, r.gen_id).replicate).toBe(Number(r.replicate));
    expect(new Set(rows.filter((r) => r.stage === "essay").map((r) => r.replicate))).toEqual(
      new Set(["1", "2"]),
    );
  });

  it("writes the cohort's parsed_scores and a pivot with each evaluator's replicates counted", () => {
    const scores = readSimpleCsv(cohortFile(first, "parsed_scores.csv"));
    expect(scores).toHaveLength(48);
    expect(scores.filter((s) => s.score !== "")).toHaveLength(48);
    expect(scores.map((s) => s.replicate).filter((r) => r === "3")).toHaveLength(16);
    expect(fs.readFileSync(crossScores(), "utf8")).toBe(
      fs.readFileSync(cohortFile(first, "parsed_scores.csv"), "utf8"),
    );

    const pivot = readSimpleCsv(cohortFile(first, "score_pivot.csv"));
    expect(pivot).toHaveLength(8);
    const evaluators = ["eval-small_novelty-score", "eval-small_rubric-legacy"];
    expect(Object.keys(pivot[0]).slice(5)).toEqual([
      ...evaluators,
      ...evaluators.map((e) => `${e}_min`),
      ...evaluators.map((e) => `${e}_max`),
      ...evaluators.map((e) => `${e}_n`),
    ]);
    for (const row of pivot) {
      for (const e of evaluators) {
        expect(row[`${e}_n`]).toBe("3");
        const mine = scores.filter(
          (s) =>
            s.parent_gen_id === row.parent_gen_id && `${s.evaluation_model}_${s.evaluation_template}` === e,
        );
        const values = mine.map((s) => Number(s.score));
        expect(Number(row[`${e}_min`])).toBe(Math.min(...values));
        expect(Number(row[`${e}_max`])).toBe(Math.max(...values));
        expect(Number(row[e])).toBeCloseTo(values.reduce((a, b) => a + b, 0) / 3, 2);
      }
    }
  });

  it("keeps the first cohort's scores when a second cohort runs, and select-top picks from either", async () => {
    const top = selectTop("--top-n", "2", "--cohort", first);
    expect(top.status).toBe(0);
    const picked = fs
      .readFileSync(path.join(project.dataRoot, "2_tasks", "selected_essays.txt"), "utf8")
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("#"));
    expect(picked).toHaveLength(2);
    fs.writeFileSync(
      path.join(project.dataRoot, "1_raw", "replication_config.csv"),
      "stage,replicates\ndraft,1\nessay,1\nevaluation,2\n",
    );
    const before = readSimpleCsv(crossScores());
    const run = await materializeOk(
      project.dir,
      ["--select", "cohort_id,cohort_membership,group:task_definitions"],
      { DD_COHORT: "cohort-picked" },
    );
    expect(run.status).toBe("succeeded");
    // parsed_scores is not partitioned: --missing would skip it as already materialized.
    await materializeOk(project.dir, ["--select", "group:evaluation", "--missing"], {
      DD_COHORT: "cohort-picked",
    });
    const scored = await materializeOk(project.dir, ["--select", "parsed_scores"], {
      DD_COHORT: "cohort-picked",
    });
    expect(scored.status).toBe("succeeded");

    const second = readSimpleCsv(cohortFile("cohort-picked", "parsed_scores.csv"));
    // 2 selected essays x 2 evaluation templates x 1 evaluator x 2 replicates
    expect(second).toHaveLength(8);
    expect(new Set(second.map((s) => s.parent_gen_id))).toEqual(new Set(picked));
    expect(second.every((s) => s.cohort_id === "cohort-picked" && s.score !== "")).toBe(true);
    const cross = readSimpleCsv(crossScores());
    expect(cross).toHaveLength(48 + 8);
    expect(cross.slice(0, 48)).toEqual(before);
    expect(cross.slice(48)).toEqual(second);
    expect(readSimpleCsv(cohortFile(first, "parsed_scores.csv"))).toEqual(before);

    const onlySecond = selectTop(
      "--top-n",
      "10",
      "--cohort",
      "cohort-picked",
      "--output",
      path.join(project.dir, "b.txt"),
    );
    expect(onlySecond.status).toBe(0);
    expect(onlySecond.stdout).toContain("Ranked 2 essays");
    const everyCohort = selectTop("--top-n", "100", "--output", path.join(project.dir, "all.txt"));
    expect(everyCohort.stdout).toContain("Ranked 8 essays");
  });
});
