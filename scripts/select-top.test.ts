import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

const PROJECT = path.resolve(import.meta.dirname, "..");
const SCRIPT = path.join(PROJECT, "scripts", "select-top.ts");

const SCORES = [
  "gen_id,parent_gen_id,evaluation_template,evaluation_model,score,error,cohort_id",
  "v1,essay-b,novelty,sonnet,8.0,,cohort-x",
  "v2,essay-b,prior-art,sonnet,4.0,,cohort-x",
  "v3,essay-a,novelty,sonnet,6.0,,cohort-x",
  "v4,essay-a,prior-art,gpt,6.0,,cohort-x",
  "v5,essay-c,novelty,gpt,,no score found in the last 3 non-empty lines,cohort-x",
  "v6,essay-d,prior-art,sonnet,2.5,,cohort-x",
  "",
].join("\n");

/** Runs the script as `npm run select-top` would, with DD_DATA_ROOT pointing at `dataRoot`. */
function run(
  dataRoot: string,
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", SCRIPT, ...args], {
      cwd: PROJECT,
      env: { ...process.env, DD_DATA_ROOT: dataRoot, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function makeDataRoot(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "select-top-"));
  fs.mkdirSync(path.join(dir, "7_cross_experiment"));
  fs.writeFileSync(path.join(dir, "7_cross_experiment", "parsed_scores.csv"), SCORES);
  return dir;
}

function listed(file: string): string[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"));
}

describe("npm run select-top", () => {
  let root: string;
  beforeEach(() => {
    root = makeDataRoot();
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("writes the top N essays of DD_DATA_ROOT's parsed_scores.csv to 2_tasks/selected_essays.txt", async () => {
    const { code, stdout, stderr } = await run(root, "--top-n", "2");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const file = path.join(root, "2_tasks", "selected_essays.txt");
    // essay-a and essay-b tie at 6.0: the smaller gen_id ranks first.
    expect(listed(file)).toEqual(["essay-a", "essay-b"]);
    const header = fs.readFileSync(file, "utf8").split("\n")[0];
    expect(header).toMatch(/^# npm run select-top -- --parsed-scores .*parsed_scores.csv --top-n 2 /);
    expect(header).toContain("top 2 of 3 essays by mean score");
    expect(fs.readdirSync(path.dirname(file))).toEqual(["selected_essays.txt"]);
    expect(stdout).toMatch(/1 {2}essay-a +6\.000 +2\n +2 {2}essay-b +6\.000 +2\n/);
    expect(stdout).toContain("Ignored 1 row with an error or an empty score.");
  });

  it("averages only the chosen templates and models and writes where --output says", async () => {
    const output = path.join(root, "picked.txt");
    const { code, stdout } = await run(
      root,
      "--parsed-scores",
      path.join(root, "7_cross_experiment", "parsed_scores.csv"),
      "--top-n",
      "5",
      "--templates",
      "prior-art",
      "--models",
      "sonnet",
      "--output",
      output,
    );
    expect(code).toBe(0);
    expect(listed(output)).toEqual(["essay-b", "essay-d"]);
    expect(fs.readFileSync(output, "utf8")).toMatch(/^# .*--templates prior-art --models sonnet /);
    expect(stdout).toContain("Only 2 essays have scores; all of them are selected.");
    expect(fs.existsSync(path.join(root, "2_tasks", "selected_essays.txt"))).toBe(false);
  });
});

describe("npm run select-top across cohorts", () => {
  let root: string;
  beforeEach(() => {
    root = makeDataRoot();
    fs.appendFileSync(
      path.join(root, "7_cross_experiment", "parsed_scores.csv"),
      ["w1,essay-d,novelty,sonnet,9.5,,cohort-y", "w2,essay-e,novelty,sonnet,7.0,,cohort-y", ""].join("\n"),
    );
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("ranks every cohort's evaluations by default", async () => {
    const { code } = await run(root, "--top-n", "2");
    expect(code).toBe(0);
    // essay-d: (2.5 + 9.5) / 2 = 6.0 ties with essay-a and essay-b; essay-e has 7.0.
    expect(listed(path.join(root, "2_tasks", "selected_essays.txt"))).toEqual(["essay-e", "essay-a"]);
  });

  it("counts only the cohorts --cohort names, and says so in the list's header", async () => {
    const { code, stdout, stderr } = await run(root, "--top-n", "3", "--cohort", "cohort-y,cohort-q");
    expect(code).toBe(0);
    const file = path.join(root, "2_tasks", "selected_essays.txt");
    expect(listed(file)).toEqual(["essay-d", "essay-e"]);
    expect(fs.readFileSync(file, "utf8")).toMatch(/^# .* --cohort cohort-y,cohort-q {2}\|/);
    expect(stdout).toContain("in cohorts cohort-q, cohort-y");
    expect(stderr).toContain("warning: no row of");
    expect(stderr).toContain("has cohort cohort-q");
  });
});

// Bad input never writes; the cases share one data root and run at once to keep the suite fast.
describe.concurrent("npm run select-top on bad input", () => {
  let root: string;
  beforeAll(() => {
    root = makeDataRoot();
    fs.writeFileSync(
      path.join(root, "no-score.csv"),
      "gen_id,parent_gen_id,evaluation_template,evaluation_model\nv1,e1,t,m\n",
    );
  });
  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it.for([
    [["--top-n", "0"], /--top-n must be a positive integer, got "0"/],
    [["--top-n", "three"], /--top-n must be a positive integer, got "three"/],
    [[], /required option '--top-n <n>' not specified/],
    [["--top-n", "2", "--parsed-scores", "no/such/scores.csv"], /no\/such\/scores.csv: file not found/],
    [["--top-n", "2", "--templates", "clarity"], /no usable score left after filtering/],
    [["--top-n", "2", "--cohort", "cohort-z"], /no usable score left after filtering.*in cohorts cohort-z/],
  ] as Array<[string[], RegExp]>)(
    "exits 2 with a clear message for %j",
    async ([args, message], { expect }) => {
      const { code, stderr } = await run(root, ...args);
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(fs.existsSync(path.join(root, "2_tasks", "selected_essays.txt"))).toBe(false);
    },
  );

  it("exits 2 when --cohort is given for a table without cohort_id", async ({ expect }) => {
    const file = path.join(root, "no-cohort.csv");
    fs.writeFileSync(file, "gen_id,parent_gen_id,evaluation_template,evaluation_model,score\nv1,e1,t,m,5\n");
    const { code, stderr } = await run(root, "--top-n", "1", "--cohort", "cohort-x", "--parsed-scores", file);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no-cohort.csv: --cohort needs a cohort_id column, and the file has none/);
    expect(fs.existsSync(path.join(root, "2_tasks", "selected_essays.txt"))).toBe(false);
  });

  it("exits 2 naming the file and the column a table lacks", async ({ expect }) => {
    const { code, stderr } = await run(
      root,
      "--top-n",
      "1",
      "--parsed-scores",
      path.join(root, "no-score.csv"),
    );
    expect(code).toBe(2);
    expect(stderr).toContain(
      'no-score.csv, line 1, column "score": required column is missing from the header',
    );
  });
});
