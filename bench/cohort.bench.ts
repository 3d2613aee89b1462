/**
 * Cohort benchmark: cohort_id + cohort_membership + the three task tables (including
 * partition registration) over a generated Cartesian raw tree of N combos x 5 draft
 * templates x 5 generation models x 4 essay templates x 5 evaluation templates x 4
 * evaluation models (N=40: 1,000 drafts, 4,000 essays, 80,000 evaluations).
 * Every iteration runs in its own child process, so its peak RSS is that run's alone
 * (the process includes tsx and the engine: about 130 MB before any work).
 *
 *   npx tsx bench/cohort.bench.ts            # 1x (5 runs) and 10x (3 runs)
 *   npx tsx bench/cohort.bench.ts --scale 1  # one scale
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { materialize, openInstance } from "@daydream/core";
import definitions from "../packages/assets/src/definitions.ts";
import { writeRawTree } from "../packages/assets/tests/helpers/raw-tree.ts";
import { cohortBenchSpec as spec } from "./cohort-spec.ts";

const SELECTION =
  "cohort_id,cohort_membership,draft_generation_tasks,essay_generation_tasks,evaluation_tasks";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Baseline: the same number of CSV rows (membership + task tables) written with no logic. */
function plainCsvWrite(dir: string, rows: number): number {
  const file = path.join(dir, "plain.csv");
  const line =
    "evaluation,0a1b2c3d4e5f6g7h,cohort-0123456789ab,,,,,,,0a1b2c3d4e5f6g7h,,0a1b2c3d4e5f6g7h__eval-tpl-1__eval-model-1,eval-tpl-1,eval-model-1,provider/eval-model-1,in_last_line\n";
  const t = performance.now();
  const fd = fs.openSync(file, "w");
  let buffer = "";
  for (let i = 0; i < rows; i++) {
    buffer += line;
    if (buffer.length >= 1 << 20) {
      fs.writeSync(fd, buffer);
      buffer = "";
    }
  }
  fs.writeSync(fd, buffer);
  fs.closeSync(fd);
  return performance.now() - t;
}

interface IterationResult {
  firstMs: number;
  rerunMs: number;
  gens: number;
  peakRssMb: number;
}

/** One fresh first run and one re-run (0 partitions added), in this process. */
async function iteration(scale: number): Promise<IterationResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dd-cohort-bench-"));
  try {
    const root = path.join(tmp, "data");
    writeRawTree(root, spec(40 * scale));
    process.env.DD_DATA_ROOT = root;
    const instance = openInstance(path.join(tmp, "home"));
    let t = performance.now();
    const first = await materialize(definitions, { selection: SELECTION, instance, logLevel: "warn" });
    const firstMs = performance.now() - t;
    if (first.status !== "succeeded") throw new Error(`run failed: ${JSON.stringify(first.failures)}`);
    t = performance.now();
    await materialize(definitions, { selection: SELECTION, instance, logLevel: "warn" });
    const rerunMs = performance.now() - t;
    const gens = ["draft_gens", "essay_gens", "evaluation_gens"].reduce(
      (n, d) => n + instance.countDynamicPartitions(d),
      0,
    );
    instance.close();
    return { firstMs, rerunMs, gens, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Each iteration in a fresh child process, so its peak RSS is that run's alone. */
function runScale(scale: number, iterations: number): void {
  const results: IterationResult[] = [];
  for (let i = 0; i < iterations; i++) {
    const res = spawnSync(
      process.execPath,
      ["--import", "tsx", import.meta.filename, "--iteration", String(scale)],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    if (res.status !== 0) throw new Error(`iteration ${i} of scale ${scale} failed (${res.status})`);
    results.push(JSON.parse(res.stdout.trim().split("\n").pop()!));
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dd-cohort-baseline-"));
  const gens = results[0].gens;
  const baseline = results.map(() => plainCsvWrite(tmp, gens * 2));
  fs.rmSync(tmp, { recursive: true, force: true });
  const label = `${scale}x (${40 * scale} combos, ${gens.toLocaleString("en-US")} gens)`;
  const b = median(baseline);
  const what = `plain CSV write of ${(gens * 2).toLocaleString("en-US")} rows`;
  for (const [name, value] of [
    ["first run", median(results.map((r) => r.firstMs))],
    ["re-run", median(results.map((r) => r.rerunMs))],
  ] as const) {
    console.log(
      `RESULT cohort+tasks ${name} ${label} | median ${value.toFixed(0)} ms | baseline ${what}: median ${b.toFixed(0)} ms | ratio ${(value / b).toFixed(1)}`,
    );
  }
  console.log(
    `RESULT peak RSS ${label} | median ${median(results.map((r) => r.peakRssMb)).toFixed(0)} MB | max ${Math.max(...results.map((r) => r.peakRssMb)).toFixed(0)} MB`,
  );
}

const repoRoot = path.resolve(import.meta.dirname, "..");

/** Process wall time of `assets materialize` (tsx start-up, definitions, the run) on a fresh 1x tree, against `node -e 0`. */
function cliWall(iterations: number): void {
  const wall: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dd-cohort-cli-"));
    try {
      writeRawTree(path.join(tmp, "data"), spec(40));
      const env = {
        ...process.env,
        DD_DATA_ROOT: path.join(tmp, "data"),
        ASSETS_HOME: path.join(tmp, "home"),
      };
      let t = performance.now();
      const res = spawnSync(
        process.execPath,
        [path.join(repoRoot, "packages/cli/bin/assets.js"), "materialize", "--select", SELECTION],
        {
          cwd: repoRoot,
          env,
          encoding: "utf8",
        },
      );
      wall.push(performance.now() - t);
      if (res.status !== 0) throw new Error(`assets materialize failed: ${res.stderr}`);
      t = performance.now();
      spawnSync(process.execPath, ["-e", "0"]);
      bare.push(performance.now() - t);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  const w = median(wall);
  const b = median(bare);
  console.log(
    `RESULT assets materialize cohort+tasks 1x, process wall | median ${w.toFixed(0)} ms | baseline node -e 0: median ${b.toFixed(0)} ms | ratio ${(w / b).toFixed(1)}`,
  );
}

const iterationArg = process.argv.indexOf("--iteration");
if (iterationArg >= 0) {
  console.log(JSON.stringify(await iteration(Number(process.argv[iterationArg + 1]))));
} else {
  const only = process.argv.indexOf("--scale");
  const scales = only >= 0 ? [Number(process.argv[only + 1])] : [1, 10];
  for (const scale of scales) runScale(scale, scale >= 10 ? 3 : 5);
  if (scales.includes(1)) cliWall(5);
}
