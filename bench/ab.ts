/**
 * A/B comparison of two checkouts of this repository on one benchmark, measured in one
 * invocation with their runs interleaved (A, B, A, B...), so that load from other work on the
 * machine falls on both alike. Every run is a fresh child process of this checkout's bench
 * harness driving the engine of checkout A or B (the harness is the same for both, only the
 * engine differs); medians per checkout and their ratios to A are printed, with every run's figure.
 *
 *   npx tsx bench/ab.ts executor|generation|cohort-cli [--rounds N] DIR_A DIR_B [DIR_C...]
 *
 * Ratios are against A; N rounds (default 7) each run every checkout once, in order.
 * `--missing` makes the executor runs `missing` runs (same 10,000 steps, each claim re-checks).
 *
 * Each checkout needs a node_modules in which @daydream/* resolve to its own packages (see
 * docs/benchmarks.md for a git worktree set up that way). `executor` runs
 * executor.bench.ts --child DIR (10,000 trivial partitions); `generation` prepares one data
 * root per checkout (untimed, with that checkout's engine, so with its storage schema), then
 * runs generation.bench.ts --worker on a fresh copy of it each time (2,000 evaluations against
 * one fake LLM server shared by both). `cohort-cli` times each checkout's own
 * node_modules/.bin/assets (its prebuilt bundle: `npm run build` there first) building the
 * cohort of cohort-cli.bench.ts on a fresh copy of one raw tree, then `node -e 0` as a gauge of
 * the machine's speed at that moment. Work files go under os.tmpdir(). CPU time (user +
 * system) is reported besides wall time: on a machine others are using it varies less.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeRawTree } from "../packages/assets/tests/helpers/raw-tree.ts";
import { cohortBenchSpec } from "./cohort-spec.ts";
import {
  checkoutPaths,
  EVALUATIONS,
  prepareGenerationRoot,
  type SetupEngine,
  startBenchServer,
} from "./generation-setup.ts";

type Sample = Record<string, number>;

interface Figure {
  name: string;
  unit: string;
  of(sample: Sample): number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs `node --import tsx FILE ARGS` in `checkout` (so tsx and packages resolve there) and
 * parses the JSON it prints last.
 */
function runChild<T = Sample>(checkout: string, file: string, args: string[], env = process.env): T {
  const res = spawnSync(process.execPath, ["--import", "tsx", file, ...args], {
    cwd: checkout,
    encoding: "utf8",
    env,
  });
  if (res.status !== 0) {
    throw new Error(
      `${file} ${args.join(" ")} in ${checkout} failed (${res.status ?? res.signal}):\n${res.stderr}`,
    );
  }
  return JSON.parse(res.stdout.trim().split("\n").at(-1)!) as T;
}

/** `--prepare CHECKOUT DIR`: the generation data root, built with that checkout's engine. */
async function prepareMode(checkout: string, dir: string): Promise<void> {
  const engine = (await import(path.join(checkout, "packages/core/src/index.ts"))) as SetupEngine;
  const prepared = await prepareGenerationRoot(dir, engine, checkoutPaths(checkout));
  console.log(JSON.stringify(prepared));
}

/** The checkouts compared: the first is the baseline (A), the others B, C... */
type Sides = { label: string; dir: string }[];

function report(figures: Figure[], sides: Sides, samples: Sample[][]): void {
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
  for (const f of figures) {
    const values = samples.map((runs) => runs.map(f.of));
    const medians = values.map(median);
    for (let i = 1; i < sides.length; i++) {
      console.log(
        `RESULT ${f.name} | ${sides[i].label} median ${fmt(medians[i])} ${f.unit} | baseline A median ${fmt(medians[0])} ${f.unit} | ratio ${sides[i].label}/A ${(medians[i] / medians[0]).toFixed(3)}`,
      );
    }
    for (const [i, side] of sides.entries()) {
      console.log(`  ${side.label} runs: ${values[i].map(fmt).join(", ")}`);
    }
  }
}

/** `rounds` rounds, each running every side once in order (A, B, A, B...). */
function interleave(
  sides: Sides,
  rounds: number,
  runOne: (side: number, round: number) => Sample,
): Sample[][] {
  const samples: Sample[][] = sides.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, side] of sides.entries()) {
      samples[i].push(runOne(i, round));
      process.stderr.write(`round ${round + 1}/${rounds} ${side.label} done\n`);
    }
  }
  return samples;
}

function executor(sides: Sides, rounds: number, missing: boolean): void {
  const bench = path.join(import.meta.dirname, "executor.bench.ts");
  const samples = interleave(sides, rounds, (i) =>
    runChild(sides[i].dir, bench, ["--child", sides[i].dir, ...(missing ? ["--missing"] : [])]),
  );
  const selector = missing ? "--missing" : "all partitions";
  report(
    [
      {
        name: `materialize 10,000 trivial partitions (${selector}), one run`,
        unit: "ms",
        of: (s) => s.engineMs,
      },
      { name: "CPU time of that run (user + system)", unit: "ms", of: (s) => s.cpuMs },
      {
        name: "engine overhead per partition",
        unit: "ms",
        of: (s) => (s.engineMs - s.baselineMs) / 10_000,
      },
      { name: "of which instance storage, per partition", unit: "ms", of: (s) => s.storageMs / 10_000 },
      { name: "peak RSS", unit: "MB", of: (s) => s.peakRssMb },
    ],
    sides,
    samples,
  );
}

async function generation(sides: Sides, rounds: number): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-ab-generation-"));
  // The server comes from the checkout this script belongs to: every side talks to the same one.
  const server = await startBenchServer();
  try {
    // this script's --prepare mode, run in each checkout so that it loads that checkout's engine
    const prepared = sides.map((side) =>
      runChild<{ root: string; home: string }>(side.dir, import.meta.filename, [
        "--prepare",
        side.dir,
        path.join(work, side.label),
      ]),
    );
    const env = { ...process.env, ...server.env };
    const samples = interleave(sides, rounds, (i, round) => {
      const runRoot = path.join(work, sides[i].label, `run-${round}`);
      fs.cpSync(prepared[i].root, runRoot, { recursive: true });
      const worker = path.join(import.meta.dirname, "generation.bench.ts");
      return runChild(sides[i].dir, worker, ["--worker", runRoot, prepared[i].home, sides[i].dir], env);
    });
    report(
      [
        {
          name: `evaluation_response over ${EVALUATIONS} partitions, run wall time`,
          unit: "s",
          of: (s) => s.engineMs / 1000,
        },
        {
          name: "the same calls straight through the LLM client (load gauge)",
          unit: "s",
          of: (s) => s.directMs / 1000,
        },
        { name: "main-thread busy per evaluation", unit: "ms", of: (s) => s.busyMs / EVALUATIONS },
        { name: "CPU time per evaluation (user + system)", unit: "ms", of: (s) => s.cpuMs / EVALUATIONS },
        { name: "peak RSS", unit: "MB", of: (s) => s.peakRssMb },
      ],
      sides,
      samples,
    );
  } finally {
    server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Wall time of one child process, in ms; throws with its stderr when it fails. */
function timedRun(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): number {
  const start = process.hrtime.bigint();
  const res = spawnSync(command, args, { env, encoding: "utf8", cwd });
  if (res.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${res.status}:\n${res.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function cohortCli(sides: Sides, rounds: number): void {
  const args = ["materialize", "--select", "cohort_id,cohort_membership,group:task_definitions"];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-ab-cohort-cli-"));
  try {
    const pristine = path.join(work, "pristine");
    writeRawTree(pristine, cohortBenchSpec(40));
    const samples = interleave(sides, rounds, (i) => {
      const root = path.join(work, sides[i].label);
      fs.rmSync(root, { recursive: true, force: true });
      fs.cpSync(pristine, path.join(root, "data"), { recursive: true });
      const env = {
        ...process.env,
        DD_DATA_ROOT: path.join(root, "data"),
        ASSETS_HOME: path.join(root, "home"),
        NO_COLOR: "1",
      };
      // From the checkout's own root: the command finds its definitions by the assets.yaml of its
      // working directory, and runs its prebuilt bundle only for its own definitions.
      const buildMs = timedRun(path.join(sides[i].dir, "node_modules/.bin/assets"), args, env, sides[i].dir);
      return { buildMs, nodeMs: timedRun(process.execPath, ["-e", "0"], process.env) };
    });
    report(
      [
        { name: `assets ${args.join(" ")}, 80,000 evaluations, first run`, unit: "ms", of: (s) => s.buildMs },
        { name: "node -e 0 right after (the machine's speed)", unit: "ms", of: (s) => s.nodeMs },
      ],
      sides,
      samples,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const MODES = ["executor", "generation", "cohort-cli"];
const USAGE =
  "usage: npx tsx bench/ab.ts executor|generation|cohort-cli [--rounds N] [--missing (executor)] DIR_A DIR_B [DIR_C...]";
const [mode, ...args] = process.argv.slice(2);
if (mode === "--prepare") await prepareMode(path.resolve(args[0]), args[1]);
else {
  let rounds = 7;
  const roundsAt = args.indexOf("--rounds");
  if (roundsAt >= 0) {
    rounds = Number(args[roundsAt + 1]);
    args.splice(roundsAt, 2);
  }
  const missingAt = args.indexOf("--missing");
  if (missingAt >= 0) args.splice(missingAt, 1);
  if (!MODES.includes(mode) || args.length < 2 || !(Number.isInteger(rounds) && rounds > 0)) {
    console.error(USAGE);
    process.exit(2);
  }
  const sides = args.map((dir, i) => ({ label: String.fromCharCode(65 + i), dir: path.resolve(dir) }));
  for (const { dir } of sides) {
    if (!fs.existsSync(path.join(dir, "packages/core/src/index.ts"))) {
      console.error(`${dir} is not a checkout of this repository (no packages/core/src/index.ts)\n${USAGE}`);
      process.exit(2);
    }
  }
  console.log(sides.map((s) => `${s.label}: ${s.dir}`).join("\n"));
  if (mode === "executor") executor(sides, rounds, missingAt >= 0);
  else if (mode === "cohort-cli") cohortCli(sides, rounds);
  else await generation(sides, rounds);
}
