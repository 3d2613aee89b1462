import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openInstance } from "../instance/instance.ts";
import type { Instance } from "../instance/types.ts";

/** A fresh instance in a temp directory; `cleanup` closes it and removes the directory. */
export function tempInstance(prefix = "core-exec-"): { instance: Instance; home: string; cleanup(): void } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const instance = openInstance(home);
  return {
    instance,
    home,
    cleanup() {
      instance.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Records a successful materialization as a previous run would have (for `missing` tests). */
export function recordMaterialized(
  instance: Instance,
  assetKey: string,
  partitionKeys: Array<string | undefined>,
): void {
  const runId = `seed-${assetKey}-${Math.random().toString(36).slice(2)}`;
  instance.storage.createRun({
    runId,
    status: "succeeded",
    selection: assetKey,
    partitionsSummary: "",
    stepCount: partitionKeys.length,
    pid: process.pid,
    host: os.hostname(),
    tags: {},
  });
  const timestamp = new Date().toISOString();
  instance.storage.appendEvents(
    partitionKeys.map((partitionKey) => ({
      runId,
      type: "materialization" as const,
      assetKey,
      partitionKey: partitionKey ?? null,
      timestamp,
      durationMs: 1,
      metadata: {},
    })),
  );
}
