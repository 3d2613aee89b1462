/** The programmatic API as an outside tool uses it: only the package index. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, it, vi } from "vitest";
import * as core from "../src/index.ts";

let dir: string | undefined;
afterEach(() => {
  vi.unstubAllEnvs();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it("exports the names outside tools rely on", () => {
  const exported: Record<string, unknown> = { ...core };
  for (const name of [
    "asset",
    "dynamicPartitions",
    "defineDefinitions",
    "loadDefinitions",
    "materialize",
    "openInstance",
    "resolveAssetsHome",
    "resolveSelection",
    "validatePartitionKey",
    "memoryIOManager",
    "jsonIOManager",
    "csvIOManager",
    "textIOManager",
    "missingPartitionKeys",
  ]) {
    expect(typeof exported[name], name).toBe("function");
  }
});

it("exports RUN_STATUSES, the statuses a run record can have, which storage accepts", () => {
  expect(core.RUN_STATUSES).toEqual(["queued", "started", "succeeded", "failed", "canceled", "interrupted"]);
  expect(Object.isFrozen(core.RUN_STATUSES)).toBe(true);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "core-public-api-"));
  const instance = core.openInstance(dir);
  try {
    for (const status of core.RUN_STATUSES) {
      const runId = `run-${status}`;
      instance.storage.createRun({
        runId,
        status,
        selection: "*",
        partitionsSummary: "",
        stepCount: 0,
        pid: process.pid,
        host: os.hostname(),
        tags: {},
      });
      expect(instance.storage.listRuns({ status }).map((r) => r.runId)).toContain(runId);
    }
  } finally {
    instance.close();
  }
});

it("materialize(defs, { selection, partitions, concurrency, signal }) records the run in $ASSETS_HOME", async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "core-public-api-"));
  const home = path.join(dir, "home");
  vi.stubEnv("ASSETS_HOME", home);
  const letters = core.dynamicPartitions("letters");
  const setup = core.openInstance(home);
  setup.addDynamicPartitions(letters, ["a", "b", "c"]);
  setup.close();
  const defs = core.defineDefinitions({
    assets: [
      core.asset({ key: "upper", partitions: letters, compute: (ctx) => ctx.partitionKey!.toUpperCase() }),
    ],
  });

  const summary = await core.materialize(defs, {
    selection: "upper",
    partitions: { keys: ["a", "c"] },
    concurrency: 2,
    signal: new AbortController().signal,
  });
  expect(summary).toMatchObject({ status: "succeeded", totalSteps: 2, succeeded: 2 });
  expect(summary.logPath).toBe(path.join(home, "logs", `${summary.runId}.jsonl`));

  const instance = core.openInstance(home);
  try {
    expect(instance.storage.getRun(summary.runId)).toMatchObject({ status: "succeeded", selection: "upper" });
    expect([...instance.storage.materializedPartitionKeys("upper")].sort()).toEqual(["a", "c"]);
  } finally {
    instance.close();
  }
});
