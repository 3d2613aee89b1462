/**
 * The UI server at scale: 100,000 registered partitions and 100,000
 * materialization records (99,000 materialized, 1,000 failed) of one asset.
 * Measures the asset page's first page of partitions (target < 300 ms server
 * time) and the graph page's data (target < 500 ms), with a trivial
 * /api/health round trip as the baseline, all over HTTP on 127.0.0.1.
 * Server time is the handler's own figure (Server-Timing header).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openInstance } from "@daydream/core";
import { startUiServer } from "@daydream/ui";
import { fillLargeInstance, LARGE_ASSET, largeDefinitions } from "@daydream/ui/testing";

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP = 3;
const TOTAL = 100_000;
const FAILED = 1_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function timeRequest(url: URL): Promise<{ wall: number; server: number }> {
  const start = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  const wall = performance.now() - start;
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  const server = Number(/dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "")?.[1]);
  return { wall, server };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ui-bench-"));
const instance = openInstance(path.join(dir, "home"));
try {
  const fillStart = performance.now();
  fillLargeInstance(instance.storage, { total: TOTAL, materialized: TOTAL - FAILED, failed: FAILED });
  console.log(
    `(filled ${TOTAL} partitions and ${TOTAL} records in ${(performance.now() - fillStart).toFixed(0)} ms)`,
  );
  const server = await startUiServer({
    definitions: largeDefinitions(),
    instance,
    projectRoot: dir,
    dataRoot: path.join(dir, "data"),
    port: 0,
  });
  const workloads = [
    {
      name: "asset page: first partitions page (50 rows)",
      path: `/api/assets/${LARGE_ASSET}/partitions?limit=50`,
    },
    { name: "asset page: asset detail", path: `/api/assets/${LARGE_ASSET}` },
    { name: "graph page: /api/assets", path: "/api/assets" },
    {
      name: "asset page: failed partitions page",
      path: `/api/assets/${LARGE_ASSET}/partitions?status=failed&limit=50`,
    },
    {
      name: "asset page: key search over all keys",
      path: `/api/assets/${LARGE_ASSET}/partitions?q=09999&limit=50`,
    },
  ];
  const baselineUrl = new URL("/api/health", server.url);
  for (let i = 0; i < WARMUP; i++) {
    await timeRequest(baselineUrl);
    for (const w of workloads) await timeRequest(new URL(w.path, server.url));
  }
  const baseline: number[] = [];
  const times = new Map(workloads.map((w) => [w.name, { wall: [] as number[], server: [] as number[] }]));
  // interleaved so that machine noise hits every workload alike
  for (let i = 0; i < RUNS; i++) {
    baseline.push((await timeRequest(baselineUrl)).wall);
    for (const w of workloads) {
      const t = await timeRequest(new URL(w.path, server.url));
      times.get(w.name)!.wall.push(t.wall);
      times.get(w.name)!.server.push(t.server);
    }
  }
  const base = median(baseline);
  for (const w of workloads) {
    const t = times.get(w.name)!;
    const serverMs = median(t.server);
    const wallMs = median(t.wall);
    console.log(
      `RESULT ${w.name} server time | median ${serverMs.toFixed(1)} ms | baseline /api/health round trip: median ${base.toFixed(1)} ms | ratio ${(serverMs / base).toFixed(2)}`,
    );
    console.log(
      `RESULT ${w.name} round trip | median ${wallMs.toFixed(1)} ms | baseline /api/health round trip: median ${base.toFixed(1)} ms | ratio ${(wallMs / base).toFixed(2)}`,
    );
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  console.log(
    `(${RUNS} runs each after ${WARMUP} warm-up runs; targets: first partitions page < 300 ms, graph < 500 ms)`,
  );
  await server.close();
} finally {
  instance.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
