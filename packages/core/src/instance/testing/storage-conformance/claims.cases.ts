import { describe, expect, it } from "vitest";
import { currentHost } from "../../process-liveness.ts";
import { exitedPid, startIdleProcess, startZombieProcess } from "../processes.ts";
import { createTestRun, materialization } from "../storage-fixtures.ts";
import type { TestInstance } from "./harness.ts";
import { thrown } from "./thrown.ts";

const REMOTE = "worker-7.example";

const steps = (...keys: string[]) => keys.map((partitionKey) => ({ assetKey: "squares", partitionKey }));

export function claimCases(instance: () => TestInstance): void {
  describe("step claims", () => {
    it("claims a free step, and the same run may claim it again", () => {
      const { storage } = instance();
      const run = createTestRun(storage);
      expect(storage.claimStep("squares", "1", run.runId)).toBe(true);
      expect(storage.claimStep("squares", "1", run.runId)).toBe(true);
      expect(storage.claimSteps(run.runId, steps("1"))).toEqual({
        claimed: steps("1"),
        held: [],
        materialized: [],
      });
    });

    it("refuses a step held by another live run, also through another connection", () => {
      const { storage, openAnother } = instance();
      const second = openAnother();
      const holder = createTestRun(storage);
      const other = createTestRun(storage);
      expect(storage.claimStep("squares", "1", holder.runId)).toBe(true);
      expect(second.claimStep("squares", "1", other.runId)).toBe(false);
      expect(second.claimStep("squares", "2", other.runId)).toBe(true);
      expect(storage.claimStep("cubes", "1", other.runId)).toBe(true);
      expect(storage.claimStep("squares", "2", holder.runId)).toBe(false);
    });

    it("treats the unpartitioned step as a claim of its own", () => {
      const { storage } = instance();
      const a = createTestRun(storage);
      const b = createTestRun(storage);
      expect(storage.claimStep("config", "", a.runId)).toBe(true);
      expect(storage.claimStep("config", "", b.runId)).toBe(false);
      expect(storage.claimStep("config", "x", b.runId)).toBe(true);
    });

    it("takes over a claim whose process on this host has exited, marking its run interrupted", () => {
      const { storage } = instance();
      const crashed = createTestRun(storage, { pid: exitedPid() });
      const live = createTestRun(storage);
      expect(storage.claimStep("squares", "1", crashed.runId)).toBe(true);
      expect(storage.claimStep("squares", "1", live.runId)).toBe(true);
      expect(storage.getRun(crashed.runId)!.status).toBe("interrupted");
      // the claim is the live run's now
      const later = createTestRun(storage);
      expect(storage.claimStep("squares", "1", later.runId)).toBe(false);
    });

    it("refuses while the holding process is alive and takes over once it has exited", async () => {
      const { storage } = instance();
      const idle = startIdleProcess();
      try {
        const holder = createTestRun(storage, { pid: idle.pid });
        const mine = createTestRun(storage);
        expect(storage.claimStep("squares", "1", holder.runId)).toBe(true);
        expect(storage.claimStep("squares", "1", mine.runId)).toBe(false);
        await idle.stop();
        expect(storage.claimStep("squares", "1", mine.runId)).toBe(true);
        expect(storage.getRun(holder.runId)!.status).toBe("interrupted");
      } finally {
        await idle.stop();
      }
    });

    it("treats a zombie holder (killed, not reaped) on this host as gone", async () => {
      const { storage } = instance();
      const zombie = await startZombieProcess();
      try {
        const holder = createTestRun(storage, { pid: zombie.pid });
        const mine = createTestRun(storage);
        expect(storage.claimStep("squares", "1", holder.runId)).toBe(true);
        expect(storage.claimStep("squares", "1", mine.runId)).toBe(true);
        expect(storage.getRun(holder.runId)!.status).toBe("interrupted");
      } finally {
        zombie.reap();
      }
    });

    it("takes over a claim of a finished run, leaving its status alone", () => {
      const { storage } = instance();
      const finished = createTestRun(storage);
      const next = createTestRun(storage);
      expect(storage.claimStep("squares", "1", finished.runId)).toBe(true);
      storage.updateRun(finished.runId, { status: "succeeded" });
      expect(storage.claimStep("squares", "1", next.runId)).toBe(true);
      expect(storage.getRun(finished.runId)!.status).toBe("succeeded");
    });

    it("keeps a claim of a run on another host while its lease is fresh, whatever its pid", () => {
      const { storage } = instance();
      const remote = createTestRun(storage, { host: REMOTE, pid: exitedPid() });
      const local = createTestRun(storage);
      expect(storage.claimStep("squares", "1", remote.runId)).toBe(true);
      expect(storage.claimSteps(local.runId, steps("1"))).toEqual({
        claimed: [],
        held: [{ step: steps("1")[0], holder: { runId: remote.runId, host: REMOTE, pid: remote.pid } }],
        materialized: [],
      });
      expect(storage.getRun(remote.runId)!.status).toBe("started");
    });

    it("takes over every claim of a run whose lease expired, marking it interrupted", () => {
      const { storage } = instance();
      const remote = createTestRun(storage, { host: REMOTE, pid: process.pid, leaseMs: -1 });
      const local = createTestRun(storage);
      expect(storage.claimSteps(remote.runId, steps("1", "2")).claimed).toEqual(steps("1", "2"));
      expect(storage.claimSteps(local.runId, steps("1")).claimed).toEqual(steps("1"));
      expect(storage.getRun(remote.runId)).toMatchObject({
        status: "interrupted",
        endedAt: expect.any(String),
      });
      // its other claim went with it
      const third = createTestRun(storage);
      expect(storage.claimSteps(third.runId, steps("2")).claimed).toEqual(steps("2"));
      expect(storage.heartbeatRun(remote.runId, 30_000)).toBe(false);
    });

    it("a heartbeat keeps a lease fresh; an expired one is taken over and cannot be renewed", () => {
      const { storage } = instance();
      const remote = createTestRun(storage, { host: REMOTE, leaseMs: -1 });
      expect(storage.heartbeatRun(remote.runId, 30_000)).toBe(true);
      const local = createTestRun(storage);
      expect(storage.claimStep("squares", "1", remote.runId)).toBe(true);
      expect(storage.claimStep("squares", "1", local.runId)).toBe(false);
      expect(storage.heartbeatRun(remote.runId, -1)).toBe(true);
      expect(storage.claimStep("squares", "1", local.runId)).toBe(true);
      expect(storage.heartbeatRun(remote.runId, 30_000)).toBe(false);
    });

    it("releases the given steps only, or all of a run's steps, never another run's", () => {
      const { storage } = instance();
      const a = createTestRun(storage);
      const b = createTestRun(storage);
      for (const p of ["1", "2", "3"]) storage.claimStep("squares", p, a.runId);
      storage.claimStep("config", "", a.runId);
      storage.releaseSteps(a.runId, [{ assetKey: "squares", partitionKey: "2" }]);
      expect(storage.claimStep("squares", "1", b.runId)).toBe(false);
      expect(storage.claimStep("squares", "2", b.runId)).toBe(true);
      // releasing a step another run holds changes nothing
      storage.releaseSteps(a.runId, [{ assetKey: "squares", partitionKey: "2" }]);
      expect(storage.claimStep("squares", "2", a.runId)).toBe(false);
      storage.releaseSteps(a.runId, []);
      expect(storage.claimStep("squares", "1", b.runId)).toBe(false);
      storage.releaseSteps(a.runId);
      expect(
        storage.claimSteps(b.runId, [...steps("1", "3"), { assetKey: "config", partitionKey: "" }]),
      ).toEqual({
        claimed: [...steps("1", "3"), { assetKey: "config", partitionKey: "" }],
        held: [],
        materialized: [],
      });
      expect(storage.claimStep("squares", "2", a.runId)).toBe(false);
    });

    it("rejects a claim for a run that does not exist, claiming nothing", () => {
      const { storage } = instance();
      const err = thrown(() => storage.claimStep("squares", "1", "ghost"));
      expect(err.code).toBe("unknown_run");
      expect(err.message).toContain("run ghost does not exist");
      expect(thrown(() => storage.claimSteps("ghost", steps("1", "2"))).code).toBe("unknown_run");
      const run = createTestRun(storage);
      expect(storage.claimSteps(run.runId, steps("1", "2")).claimed).toEqual(steps("1", "2"));
    });
  });

  describe("batched step claims", () => {
    it("returns the steps given, as the same objects and in the order given", () => {
      const { storage } = instance();
      const holder = createTestRun(storage);
      const mine = createTestRun(storage);
      storage.claimStep("squares", "2", holder.runId);
      const wanted = [...steps("3", "2", "1"), { assetKey: "cubes", partitionKey: "2", extra: true }];
      const { claimed, held, materialized } = storage.claimSteps(mine.runId, wanted);
      expect(claimed).toEqual([wanted[0], wanted[2], wanted[3]]);
      expect(claimed[0]).toBe(wanted[0]);
      expect(claimed[1]).toBe(wanted[2]);
      expect(claimed[2]).toBe(wanted[3]);
      expect(held).toEqual([
        { step: wanted[1], holder: { runId: holder.runId, host: currentHost(), pid: process.pid } },
      ]);
      expect(held[0].step).toBe(wanted[1]);
      expect(materialized).toEqual([]);
      expect(storage.claimSteps(mine.runId, [])).toEqual({ claimed: [], held: [], materialized: [] });
    });

    it("holds what it claimed against other runs and connections until released", () => {
      const { storage, openAnother } = instance();
      const second = openAnother();
      const mine = createTestRun(storage);
      const other = createTestRun(storage);
      expect(storage.claimSteps(mine.runId, steps("1", "2")).claimed).toEqual(steps("1", "2"));
      const outcome = second.claimSteps(other.runId, steps("1", "2", "3"));
      expect(outcome.claimed).toEqual(steps("3"));
      expect(outcome.held.map((h) => [h.step.partitionKey, h.holder.runId])).toEqual([
        ["1", mine.runId],
        ["2", mine.runId],
      ]);
      storage.releaseSteps(mine.runId, steps("1"));
      expect(second.claimSteps(other.runId, steps("1", "2")).claimed).toEqual(steps("1"));
    });

    it("takes over steps of gone, expired and finished runs and keeps live ones' in one call", () => {
      const { storage } = instance();
      const crashed = createTestRun(storage, { pid: exitedPid() });
      const expired = createTestRun(storage, { host: REMOTE, leaseMs: -1 });
      const finished = createTestRun(storage);
      const live = createTestRun(storage);
      const mine = createTestRun(storage);
      storage.claimSteps(crashed.runId, steps("1", "2"));
      storage.claimSteps(expired.runId, steps("7"));
      storage.claimSteps(finished.runId, steps("3"));
      storage.claimSteps(live.runId, steps("4", "5"));
      storage.updateRun(finished.runId, { status: "succeeded" });
      const outcome = storage.claimSteps(mine.runId, steps("1", "2", "3", "4", "5", "6", "7"));
      expect(outcome.claimed).toEqual(steps("1", "2", "3", "6", "7"));
      expect(outcome.held.map((h) => [h.step.partitionKey, h.holder.runId])).toEqual([
        ["4", live.runId],
        ["5", live.runId],
      ]);
      expect(storage.getRun(crashed.runId)!.status).toBe("interrupted");
      expect(storage.getRun(expired.runId)!.status).toBe("interrupted");
      expect(storage.getRun(finished.runId)!.status).toBe("succeeded");
      expect(storage.getRun(live.runId)!.status).toBe("started");
      expect(storage.claimStep("squares", "1", live.runId)).toBe(false);
    });
  });

  describe("re-check after claim (skipMaterialized)", () => {
    it("reports materialized steps instead of claiming them, and leaves them unclaimed", () => {
      const { storage } = instance();
      const done = createTestRun(storage);
      storage.appendEvents([materialization(done.runId, "squares", "1")]);
      const mine = createTestRun(storage);
      const wanted = steps("1", "2");
      const outcome = storage.claimSteps(mine.runId, wanted, { skipMaterialized: true });
      expect(outcome).toEqual({ claimed: [wanted[1]], held: [], materialized: [wanted[0]] });
      expect(outcome.materialized[0]).toBe(wanted[0]);
      // the materialized step was not left claimed by `mine`
      const other = createTestRun(storage);
      expect(storage.claimStep("squares", "1", other.runId)).toBe(true);
      // without the option a materialized step is claimed as usual
      expect(storage.claimSteps(mine.runId, steps("2")).claimed).toEqual(steps("2"));
    });

    it("sees a materialization recorded by the previous holder before it released the claim", () => {
      const { storage, openAnother } = instance();
      const second = openAnother();
      const first = createTestRun(storage);
      const next = createTestRun(storage);
      expect(storage.claimSteps(first.runId, steps("1", "2")).claimed).toEqual(steps("1", "2"));
      expect(second.claimSteps(next.runId, steps("1", "2"), { skipMaterialized: true }).held).toHaveLength(2);
      storage.appendEvents([materialization(first.runId, "squares", "1")]);
      storage.releaseSteps(first.runId);
      expect(second.claimSteps(next.runId, steps("1", "2"), { skipMaterialized: true })).toEqual({
        claimed: steps("2"),
        held: [],
        materialized: steps("1"),
      });
    });

    it("reports a materialized step as such even while a live run holds it", () => {
      const { storage } = instance();
      const holder = createTestRun(storage);
      const mine = createTestRun(storage);
      storage.claimSteps(holder.runId, steps("1"));
      storage.appendEvents([materialization(holder.runId, "squares", "1")]);
      expect(storage.claimSteps(mine.runId, steps("1"), { skipMaterialized: true })).toEqual({
        claimed: [],
        held: [],
        materialized: steps("1"),
      });
    });

    it("claims a step whose latest outcome is a failure, or whose state was wiped", () => {
      const { storage } = instance();
      const done = createTestRun(storage);
      storage.appendEvents([
        materialization(done.runId, "squares", "1"),
        { ...materialization(done.runId, "squares", "2"), type: "step_failure", error: { message: "x" } },
      ]);
      storage.wipeAssetPartitionStates("squares", "1");
      const mine = createTestRun(storage);
      expect(storage.claimSteps(mine.runId, steps("1", "2"), { skipMaterialized: true })).toEqual({
        claimed: steps("1", "2"),
        held: [],
        materialized: [],
      });
    });
  });
}
