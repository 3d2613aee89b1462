/**
 * Start-up cost of the `assets` command: wall time of `assets list` on the
 * default definitions (assets.yaml at the repo root), against `node -e 0`
 * measured in the same run. Target: median under 400 ms.
 * Runs use a throw-away $ASSETS_HOME so the repo's instance is left alone.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const repoRoot = path.resolve(import.meta.dirname, "..");
const bin = path.join(repoRoot, "packages/cli/bin/assets.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const WARMUP = 2;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timeOnce(args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const res = spawnSync(process.execPath, args, { cwd: repoRoot, env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.status !== 0) {
    throw new Error(`node ${args.join(" ")} exited with ${res.status}:\n${res.stderr}`);
  }
  return ms;
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), "cli-bench-"));
try {
  const env = { ...process.env, ASSETS_HOME: home, NO_COLOR: "1" };
  const workloads: { name: string; args: string[] }[] = [
    { name: "assets list (default definitions)", args: [bin, "list"] },
    // the same command on a tiny definitions module: what the CLI and engine cost on their own
    { name: "assets list (examples/hello)", args: [bin, "-f", "examples/hello/definitions.ts", "list"] },
    { name: "assets --help", args: [bin, "--help"] },
  ];
  for (const w of workloads) for (let i = 0; i < WARMUP; i++) timeOnce(w.args, env);

  // interleave the workloads and the baseline so that machine noise hits them alike
  const times = new Map<string, number[]>(workloads.map((w) => [w.name, []]));
  const baseline: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    baseline.push(timeOnce(["-e", "0"], env));
    for (const w of workloads) times.get(w.name)!.push(timeOnce(w.args, env));
  }
  const base = median(baseline);
  for (const w of workloads) {
    const m = median(times.get(w.name)!);
    console.log(
      `RESULT ${w.name} wall time | median ${m.toFixed(0)} ms | baseline node -e 0: median ${base.toFixed(0)} ms` +
        ` | ratio ${(m / base).toFixed(2)}`,
    );
  }
  console.log(`(${RUNS} runs each after ${WARMUP} warm-up runs; target for assets list: median < 400 ms)`);
} finally {
  fs.rmSync(home, { recursive: true, force: true });
}
