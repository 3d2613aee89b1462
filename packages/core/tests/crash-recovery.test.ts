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

/**
 * Starts the child run and SIGKILLs it as soon as the instance shows `after` recorded
 * materializations (read through a second connection, as another process would).
 */
function runAndKill(dir: string, after: number): Promise<{ recordedAtKill: number; signal: string | null }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(import.meta.dirname, "fixtures", "crash-child.ts"), dir],
    {
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const observer = openInstance(dir);
  let recordedAtKill = 0;
  const poll = setInterval(() => {
    const recorded = observer.storage.countAssetPartitionStates("slow").materialized;
    if (recorded >= after && recordedAtKill === 0) {
      recordedAtKill = recorded;
      child.kill("SIGKILL");
    }
  }, 5);
  // Resolve on "exit" only: by then the child is reaped, so its pid no longer looks alive.
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      clearInterval(poll);
      observer.close();
      resolve({ recordedAtKill, signal });
    });
  });
}

it("marks a SIGKILLed run interrupted, keeps the database intact and lets a missing run finish the rest", async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "core-crash-"));
  const keys = Array.from({ length: PARTITIONS }, (_, i) => `p${i}`);
  const setup = openInstance(home);
  setup.addDynamicPartitions(slowItems, keys);
  setup.close();

  const { recordedAtKill, signal } = await runAndKill(home, 8);
  expect(signal).toBe("SIGKILL");
  expect(recordedAtKill).toBeGreaterThanOrEqual(8);

  const instance = openInstance(home);
  try {
    const [killed] = instance.storage.listRuns();
    expect(killed.status).toBe("interrupted");
    const check = new Database(path.join(home, "instance.db"), { readonly: true });
    expect(check.pragma("integrity_check", { simple: true })).toBe("ok");
    check.close();

    const recorded = instance.storage.materializedPartitionKeys("slow");
    // Events reach storage in batches, so the last successes before the kill may be lost: they count as missing.
    expect(recorded.size).toBeGreaterThanOrEqual(recordedAtKill);
    expect(recorded.size).toBeLessThan(PARTITIONS);

    const computed: string[] = [];
    const summary = await materialize(
      slowDefinitions(1, (k) => computed.push(k)),
      {
        instance,
        selection: "slow",
        partitions: "missing",
      },
    );
    const expected = keys.filter((k) => !recorded.has(k));
    expect(summary).toMatchObject({
      status: "succeeded",
      totalSteps: PARTITIONS - recorded.size,
      succeeded: expected.length,
    });
    expect(computed.sort()).toEqual(expected.sort());
    expect(instance.storage.materializedPartitionKeys("slow").size).toBe(PARTITIONS);
  } finally {
    instance.close();
  }
});
