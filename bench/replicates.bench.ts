/**
 * Replicates benchmark: the 1x cohort of bench/cohort.bench.ts (80,000 evaluations) with
 * data/1_raw/replication_config.csv asking for 3 evaluation replicates (240,000
 * evaluations, 245,000 generations), built by cohort_id + cohort_membership + the three task
 * tables (partition registration included). Baseline, measured in the same run: the same
 * cohort without the file. Every iteration is a fresh child process.
 *
 *   npx tsx bench/replicates.bench.ts    # 5 runs each
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { materialize, openInstance } from "@daydream/core";
import definitions from "../packages/assets/src/definitions.ts";
import { writeRawTree } from "../packages/assets/tests/helpers/raw-tree.ts";
import { cohortBenchSpec } from "./cohort-spec.ts";

const SELECTION =
  "cohort_id,cohort_membership,draft_generation_tasks,essay_generation_tasks,evaluation_tasks";
const ITERATIONS = 5;

interface IterationResult {
  ms: number;
  gens: number;
  evaluations: number;
  peakRssMb: number;
}

/** One first build of the cohort, in this process; `replicates` evaluation replicates, or no file. */
async function iteration(replicates: number | undefined): Promise<IterationResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dd-replicates-bench-"));
  try {
    const root = path.join(tmp, "data");
    writeRawTree(root, cohortBenchSpec(40));
    if (replicates !== undefined) {
      fs.writeFileSync(
        path.join(root, "1_raw", "replication_config.csv"),
        `stage,replicates\ndraft,1\nessay,1\nevaluation,${replicates}\n`,
      );
    }
    process.env.DD_DATA_ROOT = root;
    const instance = openInstance(path.join(tmp, "home"));
    const t = performance.now();
    const run = await materialize(definitions, { selection: SELECTION, instance, logLevel: "warn" });
    const ms = performance.now() - t;
    if (run.status !== "succeeded") throw new Error(`run failed: ${JSON.stringify(run.failures)}`);
    const evaluations = instance.countDynamicPartitions("evaluation_gens");
    const gens = ["draft_gens", "essay_gens"].reduce(
      (n, d) => n + instance.countDynamicPartitions(d),
      evaluations,
    );
    instance.close();
    return { ms, gens, evaluations, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function inChild(replicates: number | undefined): IterationResult {
  const res = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      import.meta.filename,
      "--iteration",
      replicates === undefined ? "none" : String(replicates),
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  if (res.status !== 0) throw new Error(`iteration failed (${res.status})`);
  return JSON.parse(res.stdout.trim().split("\n").pop()!);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const iterationArg = process.argv.indexOf("--iteration");
if (iterationArg >= 0) {
  const arg = process.argv[iterationArg + 1];
  console.log(JSON.stringify(await iteration(arg === "none" ? undefined : Number(arg))));
} else {
  // Alternated, so that load on the machine falls on both alike.
  const withReplicates: IterationResult[] = [];
  const without: IterationResult[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    withReplicates.push(inChild(3));
    without.push(inChild(undefined));
  }
  const v = median(withReplicates.map((r) => r.ms));
  const b = median(without.map((r) => r.ms));
  const n = (x: number) => x.toLocaleString("en-US");
  console.log(
    `RESULT cohort+tasks first run, evaluation replicates 3 (${n(withReplicates[0].evaluations)} evaluations, ${n(withReplicates[0].gens)} gens) | median ${v.toFixed(0)} ms | baseline same cohort without replication_config.csv (${n(without[0].evaluations)} evaluations): median ${b.toFixed(0)} ms | ratio ${(v / b).toFixed(2)}`,
  );
  console.log(
    `RESULT peak RSS, evaluation replicates 3 | median ${median(withReplicates.map((r) => r.peakRssMb)).toFixed(0)} MB | max ${Math.max(...withReplicates.map((r) => r.peakRssMb)).toFixed(0)} MB`,
  );
}
