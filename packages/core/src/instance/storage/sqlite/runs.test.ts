import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StorageError } from "../../../errors.ts";
import { exitedPid, startIdleProcess } from "../../testing/processes.ts";
import { createTestRun, materialization } from "../../testing/storage-fixtures.ts";
import { makeTempDir, removeTempDir } from "../../testing/temp-dirs.ts";
import { SqliteStorage } from "./sqlite-storage.ts";

let dir: string;
let storage: SqliteStorage;

beforeEach(() => {
  dir = makeTempDir();
  storage = new SqliteStorage(path.join(dir, "instance.db"));
});

afterEach(() => {
  storage.close();
  removeTempDir(dir);
});

describe("runs", () => {
  it("creates a run and reads it back with every field", () => {
    const created = storage.createRun({
      runId: "r1",
      status: "queued",
      selection: "group:evaluation",
      partitionsSummary: "3 keys",
      stepCount: 6,
      pid: 4242,
      host: "box",
      tags: { config: "run.yaml" },
    });
    expect(created.startedAt).toBeNull();
    expect(created.endedAt).toBeNull();
    expect(storage.getRun("r1")).toEqual(created);
    expect(storage.getRun("nope")).toBeUndefined();
  });

  it("stamps startedAt when a run is created started", () => {
    const run = createTestRun(storage, { status: "started" });
    expect(run.startedAt).toBe(run.createdAt);
  });

  it("refuses a second run with the same id", () => {
    createTestRun(storage, { runId: "same" });
    expect(() => createTestRun(storage, { runId: "same" })).toThrow(/run same already exists/);
  });

  it("updates status, step count and tags, filling the end time on a finished status", () => {
    const run = createTestRun(storage, { status: "queued" });
    storage.updateRun(run.runId, { status: "started", stepCount: 12 });
    const started = storage.getRun(run.runId)!;
    expect(started.status).toBe("started");
    expect(started.startedAt).not.toBeNull();
    expect(started.stepCount).toBe(12);
    storage.updateRun(run.runId, { status: "failed", tags: { failed: "2" } });
    const ended = storage.getRun(run.runId)!;
    expect(ended.status).toBe("failed");
    expect(ended.endedAt).not.toBeNull();
    expect(ended.startedAt).toBe(started.startedAt);
    expect(ended.tags).toEqual({ failed: "2" });
  });

  it("keeps an explicit end time given in the patch", () => {
    const run = createTestRun(storage);
    storage.updateRun(run.runId, { status: "succeeded", endedAt: "2030-01-01T00:00:00.000Z" });
    expect(storage.getRun(run.runId)!.endedAt).toBe("2030-01-01T00:00:00.000Z");
  });

  it("rejects an update of an unknown run and an unknown status", () => {
    expect(() => storage.updateRun("ghost", { status: "failed" })).toThrow(/no such run/);
    const run = createTestRun(storage);
    expect(() => storage.updateRun(run.runId, { status: "exploded" as never })).toThrow(StorageError);
  });

  it("lists runs newest first, filtered by status and limited", () => {
    const a = createTestRun(storage, { status: "succeeded" });
    const b = createTestRun(storage, { status: "failed" });
    const c = createTestRun(storage, { status: "succeeded" });
    expect(storage.listRuns().map((r) => r.runId)).toEqual([c.runId, b.runId, a.runId]);
    expect(storage.listRuns({ status: "succeeded" }).map((r) => r.runId)).toEqual([c.runId, a.runId]);
    expect(storage.listRuns({ limit: 2 }).map((r) => r.runId)).toEqual([c.runId, b.runId]);
    expect(storage.listRuns({ status: "canceled" })).toEqual([]);
    expect(() => storage.listRuns({ limit: -3 })).toThrow(/non-negative/);
  });
});

describe("markDeadRunsInterrupted", () => {
  it("marks started and queued runs of a dead process interrupted and releases their claims", () => {
    const pid = exitedPid();
    const started = createTestRun(storage, { status: "started", pid });
    const queued = createTestRun(storage, { status: "queued", pid });
    storage.claimStep("squares", "7", started.runId);

    expect(storage.markDeadRunsInterrupted()).toBe(2);

    for (const id of [started.runId, queued.runId]) {
      const run = storage.getRun(id)!;
      expect(run.status).toBe("interrupted");
      expect(run.endedAt).not.toBeNull();
    }
    const live = createTestRun(storage);
    expect(storage.claimStep("squares", "7", live.runId)).toBe(true);
    expect(storage.markDeadRunsInterrupted()).toBe(0);
  });

  it("leaves runs of live processes, other hosts and finished runs alone", async () => {
    const idle = startIdleProcess();
    try {
      const live = createTestRun(storage, { pid: idle.pid });
      const mine = createTestRun(storage, { pid: process.pid });
      const remote = createTestRun(storage, { pid: exitedPid(), host: "another-host.example" });
      const done = createTestRun(storage, { pid: exitedPid(), status: "succeeded" });

      expect(storage.markDeadRunsInterrupted()).toBe(0);
      expect(storage.getRun(live.runId)!.status).toBe("started");
      expect(storage.getRun(mine.runId)!.status).toBe("started");
      expect(storage.getRun(remote.runId)!.status).toBe("started");
      expect(storage.getRun(done.runId)!.status).toBe("succeeded");

      await idle.stop();
      expect(storage.markDeadRunsInterrupted()).toBe(1);
      expect(storage.getRun(live.runId)!.status).toBe("interrupted");
    } finally {
      await idle.stop();
    }
  });

  it("keeps the events and partition state of an interrupted run", () => {
    const run = createTestRun(storage, { pid: exitedPid() });
    storage.appendEvents([materialization(run.runId, "squares", "1", { value: 1 })]);
    storage.markDeadRunsInterrupted();
    expect(storage.getEvents(run.runId)).toHaveLength(1);
    expect(storage.getAssetPartitionState("squares", "1")!.status).toBe("materialized");
  });
});
