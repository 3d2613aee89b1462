import { describe, expect, it } from "vitest";
import { StorageError } from "../../../errors.ts";
import { currentHost } from "../../process-liveness.ts";
import type { RunRecord } from "../../types.ts";
import { exitedPid, startIdleProcess, startZombieProcess } from "../processes.ts";
import { createTestRun, materialization } from "../storage-fixtures.ts";
import type { TestInstance } from "./harness.ts";
import { thrown } from "./thrown.ts";

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const REMOTE = "worker-7.example";

export function runCases(instance: () => TestInstance): void {
  describe("runs", () => {
    it("says where the instance lives, fit to print", () => {
      const { storage, printedLocation } = instance();
      expect(storage.location).toBe(printedLocation);
    });

    it("creates a run and reads it back with every field", () => {
      const { storage } = instance();
      const created = storage.createRun({
        runId: "r1",
        status: "queued",
        selection: "group:evaluation",
        partitionsSummary: "3 keys",
        stepCount: 6,
        pid: 4242,
        host: "box",
        tags: { config: "run.yaml", note: "ünïcödé ✓" },
      });
      expect(created).toEqual({
        runId: "r1",
        status: "queued",
        selection: "group:evaluation",
        partitionsSummary: "3 keys",
        stepCount: 6,
        pid: 4242,
        host: "box",
        tags: { config: "run.yaml", note: "ünïcödé ✓" },
        createdAt: expect.stringMatching(ISO),
        startedAt: null,
        endedAt: null,
        leaseExpiresAt: expect.any(Number),
      });
      expect(storage.getRun("r1")).toEqual(created);
      expect(storage.getRun("nope")).toBeUndefined();
    });

    it("stamps startedAt on a run created started, endedAt and no lease on one created finished", () => {
      const { storage } = instance();
      const started = createTestRun(storage, { status: "started" });
      expect(started.startedAt).toBe(started.createdAt);
      expect(started.endedAt).toBeNull();
      const done = createTestRun(storage, { status: "succeeded" });
      expect(done.startedAt).toBeNull();
      expect(done.endedAt).toBe(done.createdAt);
      expect(done.leaseExpiresAt).toBeNull();
      expect(storage.getRun(started.runId)).toEqual(started);
      expect(storage.getRun(done.runId)).toEqual(done);
    });

    it("refuses a second run with the same id and keeps the first", () => {
      const { storage } = instance();
      const first = createTestRun(storage, { runId: "same", selection: "first" });
      const err = thrown(() => createTestRun(storage, { runId: "same", selection: "second" }));
      expect(err).toBeInstanceOf(StorageError);
      expect(err.code).toBe("duplicate_run");
      expect(err.message).toBe("run same already exists");
      expect(storage.getRun("same")).toEqual(first);
      expect(storage.listRuns()).toHaveLength(1);
    });

    it("refuses an empty run id and an unknown status, writing nothing", () => {
      const { storage } = instance();
      expect(thrown(() => createTestRun(storage, { runId: "" })).code).toBe("invalid_run");
      expect(thrown(() => createTestRun(storage, { status: "exploded" as never })).code).toBe(
        "invalid_run_status",
      );
      expect(storage.listRuns()).toEqual([]);
    });

    it("updates status, step count and tags, filling startedAt and endedAt on the way", () => {
      const { storage } = instance();
      const run = createTestRun(storage, { status: "queued", tags: { a: "1" } });
      storage.updateRun(run.runId, { status: "started", stepCount: 12 });
      const started = storage.getRun(run.runId)!;
      expect(started).toEqual({
        ...run,
        status: "started",
        stepCount: 12,
        startedAt: expect.stringMatching(ISO),
      });
      storage.updateRun(run.runId, { status: "failed", tags: { failed: "2" } });
      expect(storage.getRun(run.runId)).toEqual({
        ...started,
        status: "failed",
        tags: { failed: "2" },
        endedAt: expect.stringMatching(ISO),
      });
      storage.updateRun(run.runId, {});
      expect(storage.getRun(run.runId)!.status).toBe("failed");
    });

    it("keeps explicit start and end times given in a patch", () => {
      const { storage } = instance();
      const run = createTestRun(storage, { status: "queued" });
      storage.updateRun(run.runId, { status: "started", startedAt: "2030-01-01T00:00:00.000Z" });
      storage.updateRun(run.runId, { status: "succeeded", endedAt: "2030-01-01T00:00:05.000Z" });
      expect(storage.getRun(run.runId)).toMatchObject({
        status: "succeeded",
        startedAt: "2030-01-01T00:00:00.000Z",
        endedAt: "2030-01-01T00:00:05.000Z",
      });
    });

    it("rejects an update of an unknown run, an unknown status and a field that cannot change", () => {
      const { storage } = instance();
      const missing = thrown(() => storage.updateRun("ghost", { status: "failed" }));
      expect(missing.code).toBe("unknown_run");
      expect(missing.message).toContain("ghost");
      const run = createTestRun(storage);
      expect(thrown(() => storage.updateRun(run.runId, { status: "exploded" as never })).code).toBe(
        "invalid_run_status",
      );
      expect(thrown(() => storage.updateRun(run.runId, { pid: 1 } as never)).code).toBe("invalid_run_patch");
      expect(storage.getRun(run.runId)).toEqual(run);
      expect(storage.getRun("ghost")).toBeUndefined();
    });

    it("lists runs newest first (ties in creation order reversed), filtered by status and limited", () => {
      const { storage } = instance();
      // Created within a few milliseconds: equal createdAt values must still come out newest first.
      const runs = ["succeeded", "failed", "succeeded", "started", "succeeded"].map((status) =>
        createTestRun(storage, { status: status as RunRecord["status"] }),
      );
      const ids = (list: RunRecord[]) => list.map((r) => r.runId);
      const [a, b, c, d, e] = runs.map((r) => r.runId);
      expect(ids(storage.listRuns())).toEqual([e, d, c, b, a]);
      expect(storage.listRuns()[0]).toEqual(runs[4]);
      expect(ids(storage.listRuns({ status: "succeeded" }))).toEqual([e, c, a]);
      expect(ids(storage.listRuns({ status: "succeeded", limit: 2 }))).toEqual([e, c]);
      expect(ids(storage.listRuns({ limit: 2 }))).toEqual([e, d]);
      expect(storage.listRuns({ limit: 0 })).toEqual([]);
      expect(storage.listRuns({ status: "canceled" })).toEqual([]);
      expect(thrown(() => storage.listRuns({ limit: -3 })).code).toBe("invalid_page");
      expect(thrown(() => storage.listRuns({ limit: 1.5 })).code).toBe("invalid_page");
      expect(thrown(() => storage.listRuns({ status: "exploded" as never })).code).toBe("invalid_run_status");
    });

    it("keeps runs across closing and reopening", () => {
      const { storage, openAnother } = instance();
      const run = createTestRun(storage, { tags: { k: "v" } });
      storage.close();
      storage.close();
      expect(openAnother().getRun(run.runId)).toEqual(run);
    });
  });

  describe("run leases", () => {
    it("starts a run's lease leaseMs from now on the storage's clock, and a heartbeat moves it", () => {
      const { storage } = instance();
      const before = Date.now();
      const run = createTestRun(storage, { leaseMs: 30_000 });
      expect(storage.heartbeatRun(run.runId, 90_000)).toBe(true);
      const elapsed = Date.now() - before;
      const renewed = storage.getRun(run.runId)!.leaseExpiresAt!;
      // Both ends come from the storage's clock: only the time between them may be added.
      expect(renewed - run.leaseExpiresAt!).toBeGreaterThanOrEqual(60_000);
      expect(renewed - run.leaseExpiresAt!).toBeLessThanOrEqual(60_000 + elapsed + 1_000);
    });

    it("refuses to renew a run that is finished, interrupted or unknown", () => {
      const { storage } = instance();
      const done = createTestRun(storage, { status: "succeeded" });
      expect(storage.heartbeatRun(done.runId, 30_000)).toBe(false);
      expect(storage.getRun(done.runId)!.leaseExpiresAt).toBeNull();
      const expired = createTestRun(storage, { host: REMOTE, leaseMs: -1 });
      expect(storage.markDeadRunsInterrupted()).toBe(1);
      expect(storage.heartbeatRun(expired.runId, 30_000)).toBe(false);
      expect(storage.getRun(expired.runId)!.status).toBe("interrupted");
      expect(storage.heartbeatRun("ghost", 30_000)).toBe(false);
    });

    it("a heartbeat saves a run whose lease had expired, if it comes before the sweep", () => {
      const { storage } = instance();
      const run = createTestRun(storage, { host: REMOTE, leaseMs: -1 });
      expect(storage.heartbeatRun(run.runId, 30_000)).toBe(true);
      expect(storage.markDeadRunsInterrupted()).toBe(0);
      expect(storage.getRun(run.runId)!.status).toBe("started");
    });
  });

  describe("markDeadRunsInterrupted", () => {
    it("interrupts unfinished runs of any host whose lease expired, releasing their claims", () => {
      const { storage } = instance();
      const remote = createTestRun(storage, { host: REMOTE, pid: process.pid, leaseMs: -1 });
      const queued = createTestRun(storage, { status: "queued", leaseMs: -1 });
      const fresh = createTestRun(storage, { host: REMOTE, pid: exitedPid() });
      storage.claimSteps(remote.runId, [{ assetKey: "squares", partitionKey: "1" }]);

      expect(storage.markDeadRunsInterrupted()).toBe(2);

      for (const id of [remote.runId, queued.runId]) {
        expect(storage.getRun(id)).toMatchObject({
          status: "interrupted",
          endedAt: expect.stringMatching(ISO),
        });
      }
      // another host's pid means nothing here: only its lease counts
      expect(storage.getRun(fresh.runId)).toEqual(fresh);
      expect(storage.claimStep("squares", "1", fresh.runId)).toBe(true);
      expect(storage.markDeadRunsInterrupted()).toBe(0);
    });

    it("interrupts started and queued runs whose process on this host has exited", () => {
      const { storage } = instance();
      const pid = exitedPid();
      const started = createTestRun(storage, { status: "started", pid });
      const queued = createTestRun(storage, { status: "queued", pid });
      storage.claimStep("squares", "7", started.runId);

      expect(storage.markDeadRunsInterrupted()).toBe(2);

      for (const id of [started.runId, queued.runId]) {
        expect(storage.getRun(id)).toMatchObject({
          status: "interrupted",
          endedAt: expect.stringMatching(ISO),
        });
      }
      const live = createTestRun(storage);
      expect(storage.claimStep("squares", "7", live.runId)).toBe(true);
      expect(storage.markDeadRunsInterrupted()).toBe(0);
    });

    it("leaves a run created without a lease alone, whatever became of its process", () => {
      const { storage } = instance();
      const unleased = createTestRun(storage, { status: "queued", pid: exitedPid(), leaseMs: null });
      expect(unleased.leaseExpiresAt).toBeNull();
      expect(storage.markDeadRunsInterrupted()).toBe(0);
      expect(storage.getRun(unleased.runId)).toEqual(unleased);
      storage.updateRun(unleased.runId, { status: "succeeded" });
      expect(storage.getRun(unleased.runId)?.status).toBe("succeeded");
    });

    it("interrupts a run whose process on this host is a zombie (killed, not reaped)", async () => {
      const { storage } = instance();
      const zombie = await startZombieProcess();
      try {
        const run = createTestRun(storage, { pid: zombie.pid });
        expect(storage.markDeadRunsInterrupted()).toBe(1);
        expect(storage.getRun(run.runId)!.status).toBe("interrupted");
      } finally {
        zombie.reap();
      }
    });

    it("leaves live processes, other hosts' fresh leases and finished runs alone", async () => {
      const { storage } = instance();
      const idle = startIdleProcess();
      try {
        const live = createTestRun(storage, { pid: idle.pid });
        const mine = createTestRun(storage, { pid: process.pid, host: currentHost() });
        const remote = createTestRun(storage, { pid: exitedPid(), host: REMOTE });
        const done = createTestRun(storage, { pid: exitedPid(), status: "succeeded" });
        const failed = createTestRun(storage, { pid: exitedPid(), status: "failed" });

        expect(storage.markDeadRunsInterrupted()).toBe(0);
        for (const run of [live, mine, remote, done, failed]) expect(storage.getRun(run.runId)).toEqual(run);

        await idle.stop();
        expect(storage.markDeadRunsInterrupted()).toBe(1);
        expect(storage.getRun(live.runId)!.status).toBe("interrupted");
        expect(storage.getRun(mine.runId)!.status).toBe("started");
      } finally {
        await idle.stop();
      }
    });

    it("keeps the events and partition state of an interrupted run", () => {
      const { storage } = instance();
      const run = createTestRun(storage, { pid: exitedPid() });
      storage.appendEvents([materialization(run.runId, "squares", "1", { value: 1 })]);
      expect(storage.markDeadRunsInterrupted()).toBe(1);
      expect(storage.getEvents(run.runId)).toHaveLength(1);
      expect(storage.getAssetPartitionState("squares", "1")).toMatchObject({
        status: "materialized",
        runId: run.runId,
        metadata: { value: 1 },
      });
    });
  });
}
