import { expect } from "vitest";
import { currentHost } from "../process-liveness.ts";
import type { EventRecord, RunRecord, Storage } from "../types.ts";

let counter = 0;

/**
 * For version tests: each call of the function returned reads the version and expects one it
 * has not returned before.
 */
export function expectNewVersions(read: () => string): () => string {
  const seen = new Set<string>();
  return () => {
    const version = read();
    expect(seen.has(version)).toBe(false);
    seen.add(version);
    return version;
  };
}

/** Creates a `started` run owned by this process unless overridden. */
export function createTestRun(
  storage: Storage,
  overrides: Partial<RunRecord> & { leaseMs?: number | null } = {},
): RunRecord {
  counter++;
  const run = storage.createRun({
    runId: overrides.runId ?? `run-${process.pid}-${counter}`,
    status: overrides.status ?? "started",
    selection: overrides.selection ?? "*",
    partitionsSummary: overrides.partitionsSummary ?? "all",
    stepCount: overrides.stepCount ?? 0,
    pid: overrides.pid ?? process.pid,
    host: overrides.host ?? currentHost(),
    tags: overrides.tags ?? {},
    ...(overrides.leaseMs === undefined ? {} : { leaseMs: overrides.leaseMs }),
  });
  return run;
}

export function materialization(
  runId: string,
  assetKey: string,
  partitionKey: string | null,
  metadata: EventRecord["metadata"] = {},
): EventRecord {
  return {
    runId,
    type: "materialization",
    assetKey,
    partitionKey,
    timestamp: new Date().toISOString(),
    durationMs: 12,
    metadata,
  };
}

export function failure(
  runId: string,
  assetKey: string,
  partitionKey: string | null,
  message: string,
): EventRecord {
  return {
    runId,
    type: "step_failure",
    assetKey,
    partitionKey,
    timestamp: new Date().toISOString(),
    durationMs: 3,
    error: { message, name: "Error", stack: `Error: ${message}\n    at compute` },
  };
}
