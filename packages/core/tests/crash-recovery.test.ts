import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, expect, it } from "vitest";
import { materialize, openInstance } from "../src/index.ts";
import { slowDefinitions, slowItems } from "./fixtures/slow-partitions.ts";

const PARTITIONS = 40;
let home: string | undefined;
afterEach(() => {
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

/** Starts the child run and SIGKILLs it once it has reported `after` materializations. */
function runAndKill(dir: string, after: number): Promise<{ reported: number; signal: string | null }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "fixtures", "crash-child.ts"), dir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let reported = 0;
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    reported += chunk.split("\n").filter((l) => l.startsWith("materialized ")).length;
    if (reported >= after) child.kill("SIGKILL");
  });
  // Resolve on "exit" only: by then the child is reaped, so its pid no longer looks alive.
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (_code, signal) => resolve({ reported, signal }));
  });
}

it("marks a SIGKILLed run interrupted, keeps the database intact and lets a missing run finish the rest", async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "core-crash-"));
  const keys = Array.from({ length: PARTITIONS }, (_, i) => `p${i}`);
  const setup = openInstance(home);
  setup.addDynamicPartitions(slowItems, keys);
  setup.close();

  const { reported, signal } = await runAndKill(home, 10);
  expect(signal).toBe("SIGKILL");
  expect(reported).toBeGreaterThanOrEqual(10);
  expect(reported).toBeLessThan(PARTITIONS);

  const instance = openInstance(home);
  try {
    const [killed] = instance.storage.listRuns();
    expect(killed.status).toBe("interrupted");
    const check = new Database(path.join(home, "instance.db"), { readonly: true });
    expect(check.pragma("integrity_check", { simple: true })).toBe("ok");
    check.close();

    const recorded = instance.storage.materializedPartitionKeys("slow");
    // Events are flushed in batches, so the last few successes may not have reached the log.
    expect(recorded.size).toBeGreaterThan(0);
    expect(recorded.size).toBeLessThanOrEqual(reported);

    const computed: string[] = [];
    const summary = await materialize(slowDefinitions(1, (k) => computed.push(k)), {
      instance,
      selection: "slow",
      partitions: "missing",
    });
    const expected = keys.filter((k) => !recorded.has(k));
    expect(summary).toMatchObject({ status: "succeeded", totalSteps: PARTITIONS - recorded.size, succeeded: expected.length });
    expect(computed.sort()).toEqual(expected.sort());
    expect(instance.storage.materializedPartitionKeys("slow").size).toBe(PARTITIONS);
  } finally {
    instance.close();
  }
});
