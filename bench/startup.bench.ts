/**
 * Startup: a fresh process (node + tsx) that imports @daydream/core, loads a definitions
 * module (examples/hello) and opens an existing instance. Baseline: `node -e 0`.
 * Reports the whole process wall time and, from inside the child, the time spent importing
 * core + loading definitions + opening the instance. Median of 10 runs each.
 * Target (issue 2): loading a definitions module and opening the instance < 150 ms.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const RUNS = 10;
const TARGET_MS = 150;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timedSpawn(args: string[]): { ms: number; stdout: string } {
  const start = performance.now();
  const res = spawnSync(process.execPath, args, {
    encoding: "utf8",
    env: { ...process.env, HELLO_DATA_DIR: os.tmpdir() },
  });
  const ms = performance.now() - start;
  if (res.status !== 0)
    throw new Error(`${args.join(" ")} failed (${res.status ?? res.signal}): ${res.stderr}`);
  return { ms, stdout: res.stdout };
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), "bench-startup-"));
const child = path.join(import.meta.dirname, "startup-child.ts");
const baseline: number[] = [];
const wall: number[] = [];
const inProcess: number[] = [];
try {
  // First open creates and migrates the database; the measured runs open an existing one.
  timedSpawn(["--import", "tsx", child, home]);
  for (let run = 0; run < RUNS; run++) {
    baseline.push(timedSpawn(["-e", "0"]).ms);
    const res = timedSpawn(["--import", "tsx", child, home]);
    wall.push(res.ms);
    inProcess.push((JSON.parse(res.stdout.trim()) as { loadAndOpenMs: number }).loadAndOpenMs);
  }
} finally {
  fs.rmSync(home, { recursive: true, force: true });
}

const base = median(baseline);
const load = median(inProcess);
const total = median(wall);
console.log(
  `RESULT import core + load definitions + open instance (in process) | median ${load.toFixed(0)} ms | baseline node -e 0 (whole process): median ${base.toFixed(0)} ms | ratio ${(load / base).toFixed(1)}x`,
);
console.log(`  target < ${TARGET_MS} ms: ${load < TARGET_MS ? "met" : "MISSED"}`);
console.log(
  `RESULT whole process: node + tsx + load definitions + open instance | median ${total.toFixed(0)} ms | baseline node -e 0: median ${base.toFixed(0)} ms | ratio ${(total / base).toFixed(1)}x`,
);
