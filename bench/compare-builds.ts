/**
 * Interleaved A/B of two builds of the `assets` command on the cohort build of
 * bench/cohort-cli.bench.ts (80,000 evaluations): each round copies the raw tree once per
 * build, runs each build's first build of the cohort, then `node -e 0`. Medians and the
 * ratio of B to A. Not part of `npm run bench`: it needs a second checkout, e.g.
 *
 *   git worktree add /tmp/old 1f80116 && (cd /tmp/old && npm ci)
 *   npx tsx bench/compare-builds.ts /tmp/old/node_modules/.bin/assets node_modules/.bin/assets 9
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeRawTree } from "../packages/assets/tests/helpers/raw-tree.ts";
import { cohortBenchSpec } from "./cohort-spec.ts";

const [binA, binB, roundsArg] = process.argv.slice(2);
if (binA === undefined || binB === undefined) {
  console.error("usage: npx tsx bench/compare-builds.ts <assets bin A> <assets bin B> [rounds]");
  process.exit(2);
}
const ROUNDS = Number(roundsArg ?? 7);
const ARGS = ["materialize", "--select", "cohort_id,cohort_membership,group:task_definitions"];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const res = spawnSync(command, args, { env, encoding: "utf8" });
  if (res.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${res.status}:\n${res.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dd-compare-builds-"));
try {
  const pristine = path.join(tmp, "pristine");
  writeRawTree(pristine, cohortBenchSpec(40));
  const times = { A: [] as number[], B: [] as number[], node: [] as number[] };
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [name, bin] of [
      ["A", binA],
      ["B", binB],
    ] as const) {
      const root = path.join(tmp, name);
      fs.rmSync(root, { recursive: true, force: true });
      fs.cpSync(pristine, path.join(root, "data"), { recursive: true });
      const env = {
        ...process.env,
        DD_DATA_ROOT: path.join(root, "data"),
        ASSETS_HOME: path.join(root, "home"),
        NO_COLOR: "1",
      };
      const ms = timed(path.resolve(bin), ARGS, env);
      if (round > 0) times[name].push(ms);
    }
    const bare = timed(process.execPath, ["-e", "0"], process.env);
    if (round > 0) times.node.push(bare);
  }
  for (const [name, values] of Object.entries(times)) {
    console.log(
      `${name}: median ${median(values).toFixed(0)} ms (${values.map((v) => v.toFixed(0)).join(", ")})`,
    );
  }
  console.log(
    `RESULT B / A: ${(median(times.B) / median(times.A)).toFixed(3)} (${ROUNDS} rounds after a warm-up)`,
  );
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
