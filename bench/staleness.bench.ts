/**
 * Store reconciliation and staleness at scale (issue 14): 100,000 registered partitions of
 * two assets, `prompt` (records only) and `response` (a JSON file per partition, listed with
 * one directory read), each with 100,000 materializations recorded with versions; 1% of the
 * prompts ran with an older template (stale by code version, their responses stale upstream).
 * Figures, medians of RUNS runs after a warm-up, each against a baseline in the same run:
 * - what `assets show response` computes (statuses from the store listing, counts, staleness
 *   summary) in process, and the whole `assets show response -f ...` command as a process;
 * - the UI's asset page (`/api/assets/response`), server time, asked again with nothing
 *   changed (the instance reads behind it are kept while the states hold), after a response
 *   was recorded between requests, and after a prompt with new data and its response were
 *   (as while a run goes on: what was kept is brought up to date with the states since);
 * - planning a `--missing` run with nothing missing (materialize() returning 0 steps).
 * Targets: show < 1 s, asset page < 300 ms, --missing planning < 1 s.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  AssetInspector,
  type EventRecord,
  loadDefinitions,
  materialize,
  openInstance,
  summarizeStaleness,
} from "../packages/core/src/index.ts";
import { startUiServer } from "../packages/ui/src/index.ts";

const TOTAL = 100_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const BATCH = 10_000;
const DEFINITIONS = path.join(import.meta.dirname, "staleness-definitions.ts");
const BIN = path.join(import.meta.dirname, "../packages/cli/bin/assets.js");

/** As in staleness-definitions.ts (not imported: that module reads BENCH_OUT_DIR when loaded). */
function templateOf(key: string): string {
  return `t${Number(key.slice(1)) % 5}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function timed(fn: () => unknown): Promise<number[]> {
  await fn();
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn();
    out.push(performance.now() - start);
  }
  return out;
}

function result(what: string, value: number, baselineName: string, baseline: number, target?: number): void {
  const verdict =
    target === undefined ? "" : ` | target < ${target} ms: ${value < target ? "met" : "NOT MET"}`;
  console.log(
    `RESULT ${what} | median ${value.toFixed(1)} ms | baseline ${baselineName}: median ${baseline.toFixed(1)} ms | ratio ${(value / baseline).toFixed(1)}${verdict}`,
  );
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stale-bench-"));
const home = path.join(dir, "home");
const outDir = path.join(dir, "out");
process.env.BENCH_OUT_DIR = outDir;
const instance = openInstance(home);
try {
  const setup = performance.now();
  const keys = Array.from({ length: TOTAL }, (_, i) => `g${i}`);
  instance.storage.addDynamicPartitions("gens", keys);
  instance.storage.createRun({
    runId: "fill",
    status: "succeeded",
    selection: "prompt,response",
    partitionsSummary: "all",
    stepCount: 2 * TOTAL,
    pid: process.pid,
    host: "bench",
    tags: {},
  });
  const timestamp = new Date().toISOString();
  for (const assetKey of ["prompt", "response"]) {
    for (let start = 0; start < TOTAL; start += BATCH) {
      const batch: EventRecord[] = keys.slice(start, start + BATCH).map((key, j) => {
        const i = start + j;
        const code = assetKey === "prompt" ? `1+${i % 100 === 0 ? "t-old" : templateOf(key)}` : null;
        const inputs = assetKey === "prompt" ? [] : [{ asset: "prompt", partition: key, version: `p${key}` }];
        return {
          runId: "fill",
          type: "materialization",
          assetKey,
          partitionKey: key,
          timestamp,
          durationMs: 1,
          metadata: { chars: 1000 + i },
          versions: { code, data: `${assetKey[0]}${key}`, inputs },
        };
      });
      instance.storage.appendEvents(batch);
    }
  }
  fs.mkdirSync(path.join(outDir, "response"), { recursive: true });
  for (const key of keys) fs.writeFileSync(path.join(outDir, "response", `${key}.json`), `"r${key}"`);
  console.log(
    `(filled ${TOTAL} partitions x 2 assets and ${TOTAL} files in ${(performance.now() - setup).toFixed(0)} ms)`,
  );

  const defs = await loadDefinitions(DEFINITIONS);
  const recordsOnly = median(await timed(() => instance.storage.materializedPartitionKeys("response")));
  let shown: ReturnType<typeof summarizeStaleness> | undefined;
  const show = median(
    await timed(async () => {
      const inspector = new AssetInspector(defs, instance.storage);
      (await inspector.statusesOf("response")).counts();
      shown = summarizeStaleness(await inspector.staleOf("response"), 10);
      await inspector.dispose();
    }),
  );
  if (shown?.stale !== TOTAL / 100)
    throw new Error(`expected ${TOTAL / 100} stale responses, got ${shown?.stale}`);
  const what = `${TOTAL} partitions, ${TOTAL} materializations each of 2 assets`;
  result(
    `${what}: assets show response (statuses, counts, staleness), in process`,
    show,
    "reading the 100,000 materialized keys",
    recordsOnly,
    1000,
  );

  const env = { ...process.env, ASSETS_HOME: home, BENCH_OUT_DIR: outDir, NO_COLOR: "1" };
  const processTimes: number[] = [];
  const nodeTimes: number[] = [];
  for (let i = 0; i <= Math.min(RUNS, 5); i++) {
    let start = performance.now();
    const res = spawnSync(process.execPath, [BIN, "show", "response", "-f", DEFINITIONS, "--json"], {
      env,
      encoding: "utf8",
    });
    const ms = performance.now() - start;
    if (res.status !== 0) throw new Error(`assets show failed: ${res.stderr}`);
    start = performance.now();
    spawnSync(process.execPath, ["-e", "0"]);
    if (i > 0) {
      processTimes.push(ms);
      nodeTimes.push(performance.now() - start);
    }
  }
  result(
    `${what}: assets show response -f (whole process: node, tsx, definitions, work)`,
    median(processTimes),
    "node -e 0",
    median(nodeTimes),
  );

  const planning = median(
    await timed(async () => {
      const summary = await materialize(defs, {
        instance,
        selection: "response",
        partitions: "missing",
        logLevel: "silent",
      });
      if (summary.totalSteps !== 0)
        throw new Error(`expected nothing missing, planned ${summary.totalSteps}`);
    }),
  );
  result(
    `${what}: materialize --missing with nothing missing (planning, run record)`,
    planning,
    "reading the 100,000 materialized keys",
    recordsOnly,
    1000,
  );

  const server = await startUiServer({
    definitions: defs,
    instance,
    projectRoot: dir,
    dataRoot: path.join(dir, "data"),
    port: 0,
  });
  try {
    const serverTime = async (urlPath: string) => {
      const res = await fetch(new URL(urlPath, server.url));
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${urlPath} answered ${res.status}`);
      return Number(/dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "")?.[1]);
    };
    const page: number[] = [];
    const health: number[] = [];
    await serverTime("/api/assets/response");
    for (let i = 0; i < RUNS; i++) {
      page.push(await serverTime("/api/assets/response"));
      health.push(await serverTime("/api/health"));
    }
    result(
      `${what}: UI asset page /api/assets/response (counts, staleness), server time`,
      median(page),
      "/api/health server time",
      Math.max(median(health), 0.01),
      300,
    );
    // As while a run goes on: one response (and in the second case its prompt too, with new data)
    // written again (temp file and rename, as the IO managers write) and recorded before each
    // request, so neither the response's directory listing nor the reads of its states are kept
    // as they were: they are brought up to date with the states recorded since.
    const afterWrites = async (withPrompt: boolean, offset: number) => {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const key = keys[offset + i];
        const file = path.join(outDir, "response", `${key}.json`);
        fs.writeFileSync(`${file}.tmp`, `"r${key}"`);
        fs.renameSync(`${file}.tmp`, file);
        const promptVersion = withPrompt ? `p${key}-again` : `p${key}`;
        const record = (assetKey: string, versions: EventRecord["versions"]) => ({
          runId: "fill",
          type: "materialization" as const,
          assetKey,
          partitionKey: key,
          timestamp: new Date().toISOString(),
          durationMs: 1,
          metadata: { chars: 1 },
          versions,
        });
        instance.storage.appendEvents([
          ...(withPrompt
            ? [
                record("prompt", {
                  code: `1+${templateOf(key)}`,
                  data: promptVersion,
                  inputs: [],
                }),
              ]
            : []),
          record("response", {
            code: null,
            data: `r${key}`,
            inputs: [{ asset: "prompt", partition: key, version: promptVersion }],
          }),
        ]);
        times.push(await serverTime("/api/assets/response"));
      }
      return median(times);
    };
    result(
      `${what}: UI asset page /api/assets/response after a response was written and recorded, server time`,
      await afterWrites(false, 0),
      "/api/health server time",
      Math.max(median(health), 0.01),
      300,
    );
    result(
      `${what}: UI asset page /api/assets/response after a prompt and its response were written and recorded, server time`,
      await afterWrites(true, 1000),
      "/api/health server time",
      Math.max(median(health), 0.01),
      300,
    );
  } finally {
    await server.close();
  }
} finally {
  instance.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
