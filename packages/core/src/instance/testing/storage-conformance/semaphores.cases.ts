import { describe, expect, it } from "vitest";
import { exitedPid } from "../processes.ts";
import { createTestRun } from "../storage-fixtures.ts";
import { race } from "./child/race.ts";
import type { ChildTask, SemaphoreResult } from "./child/tasks.ts";
import type { StorageHarness, TestInstance } from "./harness.ts";
import { thrown } from "./thrown.ts";

const REMOTE = "worker-7.example";
const LLM = "llm:vendor/model";

export function semaphoreCases(instance: () => TestInstance): void {
  describe("semaphore slots", () => {
    it("never lets the runs of every connection hold more than the limit", () => {
      const { storage, openAnother } = instance();
      const second = openAnother();
      const a = createTestRun(storage);
      const b = createTestRun(storage);
      expect(storage.acquireSlots(a.runId, LLM, 3)).toBe(1);
      expect(second.acquireSlots(b.runId, LLM, 3, 5)).toBe(2);
      expect(storage.acquireSlots(a.runId, LLM, 3)).toBe(0);
      expect(second.acquireSlots(b.runId, LLM, 3)).toBe(0);
      // a run's own slots count against it too
      second.releaseSlots(b.runId, LLM, 1);
      expect(second.acquireSlots(b.runId, LLM, 3, 2)).toBe(1);
      expect(storage.acquireSlots(a.runId, LLM, 3)).toBe(0);
    });

    it("keeps each name a semaphore of its own", () => {
      const { storage } = instance();
      const run = createTestRun(storage);
      expect(storage.acquireSlots(run.runId, LLM, 1)).toBe(1);
      expect(storage.acquireSlots(run.runId, "llm:vendor/other", 1)).toBe(1);
      expect(storage.acquireSlots(run.runId, LLM, 1)).toBe(0);
      storage.releaseSlots(run.runId, "llm:vendor/other");
      expect(storage.acquireSlots(run.runId, LLM, 1)).toBe(0);
      expect(storage.acquireSlots(run.runId, "llm:vendor/other", 1)).toBe(1);
    });

    it("gives none when the holders already pass a lower limit another caller asks with", () => {
      const { storage } = instance();
      const a = createTestRun(storage);
      const b = createTestRun(storage);
      expect(storage.acquireSlots(a.runId, LLM, 5, 3)).toBe(3);
      expect(storage.acquireSlots(b.runId, LLM, 2)).toBe(0);
      storage.releaseSlots(a.runId, LLM, 2);
      expect(storage.acquireSlots(b.runId, LLM, 2)).toBe(1);
      expect(storage.acquireSlots(b.runId, LLM, 2)).toBe(0);
    });

    it("releases the given count, or all of the run's slots of the name, never another run's", () => {
      const { storage } = instance();
      const a = createTestRun(storage);
      const b = createTestRun(storage);
      expect(storage.acquireSlots(a.runId, LLM, 4, 3)).toBe(3);
      expect(storage.acquireSlots(b.runId, LLM, 4)).toBe(1);
      storage.releaseSlots(a.runId, LLM, 1);
      expect(storage.acquireSlots(b.runId, LLM, 4, 2)).toBe(1);
      // giving back more than held, or slots of a name the run holds none of, changes nothing else
      storage.releaseSlots(b.runId, "llm:vendor/other", 4);
      storage.releaseSlots(a.runId, LLM);
      expect(storage.acquireSlots(a.runId, LLM, 4, 4)).toBe(2);
      storage.releaseSlots(b.runId, LLM, 10);
      expect(storage.acquireSlots(a.runId, LLM, 4, 4)).toBe(2);
    });

    it("frees every slot of a run when it ends (releaseSteps without steps), not when steps go", () => {
      const { storage } = instance();
      const a = createTestRun(storage);
      const b = createTestRun(storage);
      storage.acquireSlots(a.runId, LLM, 2, 2);
      storage.acquireSlots(a.runId, "llm:vendor/other", 1);
      storage.claimSteps(a.runId, [{ assetKey: "squares", partitionKey: "1" }]);
      storage.releaseSteps(a.runId, [{ assetKey: "squares", partitionKey: "1" }]);
      expect(storage.acquireSlots(b.runId, LLM, 2)).toBe(0);
      storage.releaseSteps(a.runId);
      expect(storage.acquireSlots(b.runId, LLM, 2, 2)).toBe(2);
      expect(storage.acquireSlots(b.runId, "llm:vendor/other", 1)).toBe(1);
    });

    it("takes back the slots of a finished run, leaving its status alone", () => {
      const { storage } = instance();
      const finished = createTestRun(storage);
      const next = createTestRun(storage);
      expect(storage.acquireSlots(finished.runId, LLM, 2, 2)).toBe(2);
      storage.updateRun(finished.runId, { status: "succeeded" });
      expect(storage.acquireSlots(next.runId, LLM, 2, 2)).toBe(2);
      expect(storage.getRun(finished.runId)!.status).toBe("succeeded");
    });

    it("takes back the slots of a run whose process on this host exited, marking it interrupted", () => {
      const { storage } = instance();
      const crashed = createTestRun(storage, { pid: exitedPid() });
      const live = createTestRun(storage);
      expect(storage.acquireSlots(crashed.runId, LLM, 2, 2)).toBe(2);
      expect(storage.acquireSlots(live.runId, LLM, 2)).toBe(1);
      expect(storage.getRun(crashed.runId)!.status).toBe("interrupted");
    });

    it("keeps a remote run's slots while its lease is fresh, and takes them back with its claims once expired", () => {
      const { storage } = instance();
      const remote = createTestRun(storage, { host: REMOTE, pid: exitedPid() });
      const local = createTestRun(storage);
      expect(storage.acquireSlots(remote.runId, LLM, 1)).toBe(1);
      storage.claimSteps(remote.runId, [{ assetKey: "squares", partitionKey: "1" }]);
      expect(storage.acquireSlots(local.runId, LLM, 1)).toBe(0);
      expect(storage.getRun(remote.runId)!.status).toBe("started");
      expect(storage.heartbeatRun(remote.runId, -1)).toBe(true);
      expect(storage.acquireSlots(local.runId, LLM, 1)).toBe(1);
      expect(storage.getRun(remote.runId)!.status).toBe("interrupted");
      // its claim went with it
      expect(storage.claimStep("squares", "1", local.runId)).toBe(true);
    });

    it("frees the slots of runs marked interrupted by the dead-run sweep", () => {
      const { storage } = instance();
      const crashed = createTestRun(storage, { pid: exitedPid() });
      const live = createTestRun(storage);
      expect(storage.acquireSlots(crashed.runId, LLM, 1)).toBe(1);
      expect(storage.markDeadRunsInterrupted()).toBe(1);
      expect(storage.acquireSlots(live.runId, LLM, 1)).toBe(1);
    });

    it("refuses runs that cannot hold slots, and bad requests, taking nothing", () => {
      const { storage } = instance();
      const run = createTestRun(storage);
      expect(thrown(() => storage.acquireSlots("ghost", LLM, 1)).code).toBe("unknown_run");
      const done = createTestRun(storage);
      storage.updateRun(done.runId, { status: "interrupted" });
      const finished = thrown(() => storage.acquireSlots(done.runId, LLM, 1));
      expect(finished.code).toBe("run_finished");
      expect(finished.message).toContain(`run ${done.runId} is interrupted`);
      const leaseless = createTestRun(storage, { status: "queued", leaseMs: null });
      expect(thrown(() => storage.acquireSlots(leaseless.runId, LLM, 1)).code).toBe("run_without_lease");
      for (const [name, limit, count] of [
        ["", 1, 1],
        [LLM, 0, 1],
        [LLM, 1.5, 1],
        [LLM, 1, 0],
      ] as const) {
        expect(thrown(() => storage.acquireSlots(run.runId, name, limit, count)).code).toBe(
          "invalid_semaphore",
        );
      }
      expect(thrown(() => storage.releaseSlots(run.runId, LLM, -1)).code).toBe("invalid_semaphore");
      expect(storage.acquireSlots(run.runId, LLM, 1)).toBe(1);
    });
  });
}

/** Races hide: each scenario runs this many times, on a fresh location each time. */
const TRIALS = 3;
const RACE_TIMEOUT_MS = 180_000;
const PROCESSES = 4;
const LIMIT = 2;
const HOLDS = 12;

/** The most holds that overlap at any instant; a hold given back at the instant another is taken does not. */
function peakOverlap(holds: [string, string][]): number {
  const edges = holds.flatMap(([taken, given]): [bigint, number][] => [
    [BigInt(taken), 1],
    [BigInt(given), -1],
  ]);
  edges.sort(([a, da], [b, db]) => (a < b ? -1 : a > b ? 1 : da - db));
  let now = 0;
  let peak = 0;
  for (const [, delta] of edges) {
    now += delta;
    peak = Math.max(peak, now);
  }
  return peak;
}

export function semaphoreRaceCases(harness: StorageHarness): void {
  const scenarios = Array.from({ length: TRIALS }, (_, i) => i + 1).flatMap((trial): [string, number][] => [
    ["nobody", trial],
    ["a crashed run", trial],
  ]);
  describe("processes racing for semaphore slots", () => {
    it.each(scenarios)(
      `${PROCESSES} processes taking slots of one semaphore (limit ${LIMIT}) held by %s never hold more than the limit (trial %i)`,
      async (holder, trial) => {
        const location = harness.freshLocation(
          `semaphore_race_${trial}_${holder === "nobody" ? "free" : "crashed"}`,
        );
        const setup = harness.open(location);
        try {
          if (holder !== "nobody") {
            // Every slot starts held by a dead run: the racers must take them back.
            const crashed = createTestRun(setup, { pid: exitedPid() });
            expect(setup.acquireSlots(crashed.runId, LLM, LIMIT, LIMIT)).toBe(LIMIT);
          }
        } finally {
          setup.close();
        }
        const tasks = Array.from(
          { length: PROCESSES },
          (_, i): ChildTask => ({
            kind: "semaphore",
            runId: `slot-racer-${i}`,
            name: LLM,
            limit: LIMIT,
            holds: HOLDS,
            holdMs: 15,
          }),
        );
        const results = await race<SemaphoreResult>(harness, location, tasks);
        for (const r of results) expect(r.holds).toHaveLength(HOLDS);
        const holds = results.flatMap((r) => r.holds);
        expect(peakOverlap(holds)).toBeLessThanOrEqual(LIMIT);
        // The limit was reached, and the racers were turned away: the race took place.
        expect(peakOverlap(holds)).toBe(LIMIT);
        expect(results.reduce((n, r) => n + r.refused, 0)).toBeGreaterThan(0);
      },
      RACE_TIMEOUT_MS,
    );
  });
}
