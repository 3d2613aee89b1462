import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { openInstance, type RunSummary } from "../src/index.ts";

interface ChildReport {
  pid: number;
  summary: RunSummary;
  held: string[];
}

let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function startChild(args: string[]): { exited: Promise<ChildReport> } {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(import.meta.dirname, "fixtures", "claim-child.ts"), ...args],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<ChildReport>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve(JSON.parse(stdout.trim().split("\n").at(-1)!) as ChildReport);
      else reject(new Error(`claim child exited with ${code}: ${stderr}`));
    });
  });
  return { exited };
}

function linesOf(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

async function waitForLines(file: string, count: number, children: Promise<unknown>[]): Promise<void> {
  let failure: unknown;
  for (const c of children) c.catch((err: unknown) => (failure = err));
  const deadline = Date.now() + 45_000;
  while (linesOf(file).length < count) {
    if (failure) throw failure;
    if (Date.now() > deadline) throw new Error(`only ${linesOf(file).length} of ${count} computes started`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it("two processes materializing overlapping partitions compute each partition exactly once", async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "core-concurrent-"));
  const home = path.join(dir, "home");
  const computeLog = path.join(dir, "computed.log");
  const goFile = path.join(dir, "go");
  const keys = Array.from({ length: 60 }, (_, i) => `k${i}`);
  const setup = openInstance(home);
  setup.addDynamicPartitions("shared_items", keys);
  setup.close();

  const first = keys.slice(0, 40);
  const second = keys.slice(20);
  const a = startChild([home, computeLog, goFile, first.join(",")]);
  const b = startChild([home, computeLog, goFile, second.join(",")]);
  // Every compute holds its claim until "go": once 60 have started, each key has one owner.
  await waitForLines(computeLog, keys.length, [a.exited, b.exited]);
  fs.writeFileSync(goFile, "");
  const [ra, rb] = await Promise.all([a.exited, b.exited]);

  const computed = linesOf(computeLog).map((line) => line.split(" "));
  expect(computed.map(([, key]) => key).sort()).toEqual([...keys].sort());
  const byPid = (pid: number) => computed.filter(([p]) => Number(p) === pid).map(([, key]) => key);
  for (const [report, wanted] of [
    [ra, first],
    [rb, second],
  ] as const) {
    expect(report.summary.status).toBe("succeeded");
    expect(report.summary.succeeded).toBe(byPid(report.pid).length);
    expect([...byPid(report.pid), ...report.held].sort()).toEqual([...wanted].sort());
    expect(report.summary.held).toBe(report.held.length);
    expect(report.summary.skipped).toBe(0);
  }
  // Only the overlap is contested, and each of its keys went to exactly one process.
  expect([...ra.held, ...rb.held].sort()).toEqual(keys.slice(20, 40).sort());
  expect(ra.summary.succeeded + rb.summary.succeeded).toBe(keys.length);
}, 60_000);
