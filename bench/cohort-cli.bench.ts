/**
 * Building a cohort as a user does, a whole process started through node_modules/.bin/assets:
 *
 *   node_modules/.bin/assets materialize --select cohort_id,cohort_membership,group:task_definitions
 *
 * on the Cartesian tree of bench/cohort-spec.ts at 1x (40 combos: 1,000 drafts, 4,000 essays,
 * 80,000 evaluations). Each first run gets a fresh copy of the raw tree and a fresh instance;
 * a re-run (nothing changes, no partition added) follows on the same ones. Baseline, measured
 * in the same run and interleaved with it: `node -e 0`. Target: first run under 1.0 s.
 *
 *   npx tsx bench/run.ts cohort-cli     # after the rebuild of the prebuilt CLI that run.ts does
 *   BENCH_RUNS=9 npx tsx bench/cohort-cli.bench.ts
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeRawTree } from "../packages/assets/tests/helpers/raw-tree.ts";
import { cohortBenchSpec } from "./cohort-spec.ts";

const repoRoot = path.resolve(import.meta.dirname, "..");
const bin = path.join(repoRoot, "node_modules/.bin/assets");
const ARGS = ["materialize", "--select", "cohort_id,cohort_membership,group:task_definitions"];
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const WARMUP = 1;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const res = spawnSync(command, args, { cwd: repoRoot, env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${res.status}:\n${res.stderr}`);
  return ms;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dd-cohort-cli-bench-"));
try {
  const pristine = path.join(tmp, "pristine");
  writeRawTree(pristine, cohortBenchSpec(40));
  const first: number[] = [];
  const rerun: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const dataRoot = path.join(tmp, `data-${i}`);
    fs.cpSync(pristine, dataRoot, { recursive: true });
    const env = {
      ...process.env,
      DD_DATA_ROOT: dataRoot,
      ASSETS_HOME: path.join(tmp, `home-${i}`),
      NO_COLOR: "1",
    };
    const baseline = timed(process.execPath, ["-e", "0"], env);
    const a = timed(bin, ARGS, env);
    const b = timed(bin, ARGS, env);
    if (i >= WARMUP) {
      bare.push(baseline);
      first.push(a);
      rerun.push(b);
    }
    // Each tree is ~30 MB once built: keep only the one in use.
    fs.rmSync(dataRoot, { recursive: true, force: true });
  }
  const base = median(bare);
  for (const [name, times] of [
    ["first run", first],
    ["re-run (nothing changes)", rerun],
  ] as const) {
    const m = median(times);
    console.log(
      `RESULT assets ${ARGS.join(" ")}, 80,000 evaluations, ${name}, whole process | median ${m.toFixed(0)} ms` +
        ` | baseline node -e 0: median ${base.toFixed(0)} ms | ratio ${(m / base).toFixed(1)}`,
    );
  }
  console.log(
    `(${RUNS} runs after ${WARMUP} warm-up; first runs: ${first.map((t) => t.toFixed(0)).join(", ")} ms;` +
      ` load average ${os.loadavg()[0].toFixed(1)}; target for the first run: median < 1000 ms)`,
  );
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
