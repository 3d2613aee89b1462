/**
 * Generation throughput on PostgreSQL storage (issue #11): evaluation_response over 2,000
 * evaluation partitions in one run, concurrency 64, against the fake OpenAI-compatible server
 * answering after 100 ms (its own process, as in generation.bench.ts). The instance lives in its
 * own schema on a throwaway local server. Baseline: the same run on SQLite storage, measured in
 * the same invocation, interleaved run by run (SQLite, PostgreSQL, ...) so that load from other
 * work falls on both alike. Each storage gets its own prepared data root and instance (setup
 * untimed, as in generation.bench.ts); every run works on a fresh copy of its data root and is a
 * fresh child process. Medians of RUNS runs.
 * Target (issue #11): run wall time on PostgreSQL within 10 % of SQLite (ratio <= 1.10).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as core from "../packages/core/src/index.ts";
import { PostgresStorage } from "../packages/postgres/src/index.ts";
import {
  CONCURRENCY,
  checkoutPaths,
  EVALUATIONS,
  LATENCY_MS,
  prepareGenerationRoot,
  startBenchServer,
} from "./generation-setup.ts";
import { startBenchPostgres } from "./postgres-server.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_RATIO = 1.1;
const PATHS = checkoutPaths(path.resolve(import.meta.dirname, ".."));

interface Sample {
  engineMs: number;
  /** Event-loop busy time during the run. */
  busyMs: number;
  /** CPU time (user + system, all threads of this process) during the run; the server's is not counted. */
  cpuMs: number;
  peakRssMb: number;
  /** Wall time inside storage calls (the main thread waits for each PostgreSQL round trip). */
  storageMs: number;
  /** Storage method calls during the run, by method. */
  storageCalls: Record<string, number>;
  /** Milliseconds spent in each storage method. */
  storageCallMs: Record<string, number>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Adds the wall time of every storage method call to `total.ms`: with PostgreSQL each call is a
 * synchronous round trip that holds the event loop, so this is event-loop time lost to storage.
 */
function timeStorage(storage: object): {
  ms: number;
  calls: Record<string, number>;
  callMs: Record<string, number>;
} {
  const total = { ms: 0, calls: {} as Record<string, number>, callMs: {} as Record<string, number> };
  const methods = storage as Record<string, (...args: unknown[]) => unknown>;
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(storage))) {
    // SQLite's private guard() wraps every call: timing it too would count the calls twice.
    if (name === "constructor" || name === "guard" || typeof methods[name] !== "function") continue;
    const original = methods[name].bind(storage);
    methods[name] = (...args) => {
      total.calls[name] = (total.calls[name] ?? 0) + 1;
      const start = performance.now();
      try {
        return original(...args);
      } finally {
        const ms = performance.now() - start;
        total.ms += ms;
        total.callMs[name] = (total.callMs[name] ?? 0) + ms;
      }
    };
  }
  return total;
}

/** The instance at `home`: SQLite there, or the PostgreSQL schema `storage` names. */
function openWith(home: string, storage: string): core.Instance {
  return storage === "sqlite"
    ? core.openInstance(home)
    : core.openInstance(home, { storage: new PostgresStorage(storage) });
}

/** `--worker ROOT HOME STORAGE`: one measured run of evaluation_response over every partition. */
async function worker(root: string, home: string, storage: string): Promise<void> {
  process.env.DD_DATA_ROOT = root;
  const defs = await core.loadDefinitions(PATHS.definitions);
  const instance = openWith(home, storage);
  try {
    const storageTime = timeStorage(instance.storage);
    const elu = performance.eventLoopUtilization();
    const cpu = process.cpuUsage();
    const t = performance.now();
    const summary = await core.materialize(defs, {
      instance,
      selection: "evaluation_response",
      partitions: "all",
      concurrency: CONCURRENCY,
      logLevel: "warn",
    });
    const engineMs = performance.now() - t;
    const busyMs = performance.eventLoopUtilization(elu).active;
    const { user, system } = process.cpuUsage(cpu);
    if (summary.status !== "succeeded" || summary.succeeded !== EVALUATIONS) {
      throw new Error(
        `run ${summary.runId} ended ${summary.status}: ${summary.succeeded} ok, ${JSON.stringify(summary.failures.slice(0, 3))}`,
      );
    }
    const sample: Sample = {
      engineMs,
      busyMs,
      cpuMs: (user + system) / 1000,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      storageMs: storageTime.ms,
      storageCalls: storageTime.calls,
      storageCallMs: storageTime.callMs,
    };
    console.log(JSON.stringify(sample));
  } finally {
    instance.close();
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-pg-generation-"));
  const postgres = await startBenchPostgres();
  const llm = await startBenchServer();
  try {
    const storages = { sqlite: "sqlite", postgres: postgres.schemaUrl("generation") };
    const prepared = {} as Record<keyof typeof storages, { root: string; home: string; storage: string }>;
    for (const [name, storage] of Object.entries(storages) as Array<[keyof typeof storages, string]>) {
      const engine = { ...core, openInstance: (home: string) => openWith(home, storage) };
      const setupDir = path.join(dir, name);
      fs.mkdirSync(setupDir);
      prepared[name] = { ...(await prepareGenerationRoot(setupDir, engine, PATHS)), storage };
    }
    const samples: Record<keyof typeof storages, Sample[]> = { sqlite: [], postgres: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const name of ["sqlite", "postgres"] as const) {
        const { root, home, storage } = prepared[name];
        // a fresh copy per run (untimed), kept until the end as generation.bench.ts does
        const runRoot = path.join(dir, `${name}-run-${i}`);
        fs.cpSync(root, runRoot, { recursive: true });
        const res = spawnSync(
          process.execPath,
          ["--import", "tsx", import.meta.filename, "--worker", runRoot, home, storage],
          { encoding: "utf8", env: { ...process.env, ...llm.env } },
        );
        if (res.status !== 0) throw new Error(`worker failed (${res.status ?? res.signal}):\n${res.stderr}`);
        samples[name].push(JSON.parse(res.stdout.trim().split("\n").at(-1)!) as Sample);
      }
      const [s, p] = [samples.sqlite[i], samples.postgres[i]];
      console.log(
        `run ${i + 1}: sqlite ${(s.engineMs / 1000).toFixed(2)} s, postgres ${(p.engineMs / 1000).toFixed(2)} s`,
      );
    }
    const what = `evaluation_response, ${EVALUATIONS} partitions, fake LLM ${LATENCY_MS} ms, concurrency ${CONCURRENCY}`;
    const figures: Array<[string, (s: Sample) => number, string, number]> = [
      ["run wall time", (s) => s.engineMs / 1000, "s", 2],
      ["main-thread busy per evaluation", (s) => s.busyMs / EVALUATIONS, "ms", 2],
      ["CPU time per evaluation (this process, all threads)", (s) => s.cpuMs / EVALUATIONS, "ms", 2],
      ["time in storage calls per evaluation", (s) => s.storageMs / EVALUATIONS, "ms", 3],
      ["peak RSS", (s) => s.peakRssMb, "MB", 0],
    ];
    for (const [figure, of, unit, digits] of figures) {
      const pg = median(samples.postgres.map(of));
      const base = median(samples.sqlite.map(of));
      console.log(
        `RESULT ${what}: ${figure} on PostgreSQL | median ${pg.toFixed(digits)} ${unit} | baseline the same on SQLite: median ${base.toFixed(digits)} ${unit} | ratio ${(pg / base).toFixed(3)}`,
      );
    }
    // Which calls hold the event loop on PostgreSQL (each at least one round trip to the server).
    const calls = Object.entries(samples.postgres[0].storageCalls).sort((a, b) => b[1] - a[1]);
    console.log(
      `  storage calls of the first PostgreSQL run: ${calls.map(([m, n]) => `${m} ${n}`).join(", ")}`,
    );
    for (const kind of ["postgres", "sqlite"] as const) {
      const ms = Object.entries(samples[kind][0].storageCallMs).sort((a, b) => b[1] - a[1]);
      console.log(
        `  time in storage calls of the first ${kind} run: ${ms.map(([m, t]) => `${m} ${t.toFixed(0)} ms`).join(", ")}`,
      );
    }
    const ratio =
      median(samples.postgres.map((s) => s.engineMs)) / median(samples.sqlite.map((s) => s.engineMs));
    console.log(`  target wall time ratio <= ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? "met" : "MISSED"}`);
  } finally {
    llm.stop();
    await postgres.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === "--worker") await worker(args[0], args[1], args[2]);
else await main();
