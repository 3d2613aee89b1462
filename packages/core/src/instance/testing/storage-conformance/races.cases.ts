import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../types.ts";
import { exitedPid } from "../processes.ts";
import { createTestRun } from "../storage-fixtures.ts";
import { race } from "./child/race.ts";
import {
  type AddPartitionsResult,
  type ChildTask,
  type ClaimResult,
  type ComputeResult,
  type OpenResult,
  raceKey,
} from "./child/tasks.ts";
import type { StorageHarness } from "./harness.ts";

/** Races hide: each scenario runs this many times, on a fresh location each time. */
const TRIALS = 3;
const KEYS = 100_000;
/** Child processes start slowly on a busy machine; a race is never judged by its speed. */
const RACE_TIMEOUT_MS = 180_000;

const trials = Array.from({ length: TRIALS }, (_, i) => i + 1);

export function raceCases(harness: StorageHarness): void {
  describe("processes racing", () => {
    it.each(trials)(
      "two processes adding the same 100,000 keys at once add each once (trial %i)",
      async (trial) => {
        const location = harness.freshLocation(`add_race_${trial}`);
        // Open (and migrate) first, so that the children race on the adding only.
        harness.open(location).close();
        const results = await race<AddPartitionsResult>(harness, location, [
          { kind: "add-partitions", name: "gens", count: KEYS, reverse: false },
          { kind: "add-partitions", name: "gens", count: KEYS, reverse: true },
        ]);
        const added = results.map((r) => r.added);
        expect(added[0] + added[1]).toBe(KEYS);
        // each call is one transaction: one process added everything, the other nothing
        expect([...added].sort((a, b) => a - b)).toEqual([0, KEYS]);
        const storage = harness.open(location);
        try {
          expect(storage.countDynamicPartitions("gens")).toBe(KEYS);
          const forward = Array.from({ length: KEYS }, (_, i) => raceKey(i));
          const winner = added[0] === KEYS ? forward : [...forward].reverse();
          expect(storage.getDynamicPartitions("gens")).toEqual(winner);
        } finally {
          storage.close();
        }
      },
      RACE_TIMEOUT_MS,
    );

    const claimRaces = trials.flatMap((trial): [string, number][] => [
      ["nobody", trial],
      ["a crashed run", trial],
    ]);
    it.each(claimRaces)(
      "two processes claiming overlapping steps held by %s claim each step exactly once (trial %i)",
      async (holder, trial) => {
        const location = harness.freshLocation(
          `claim_race_${trial}_${holder === "nobody" ? "free" : "crashed"}`,
        );
        const setup = harness.open(location);
        let crashed: RunRecord | undefined;
        try {
          if (holder !== "nobody") {
            // Both racers must take the steps over from it at once.
            crashed = createTestRun(setup, { pid: exitedPid() });
            const steps = Array.from({ length: 300 }, (_, i) => ({
              assetKey: "squares",
              partitionKey: raceKey(i),
            }));
            expect(setup.claimSteps(crashed.runId, steps).claimed).toHaveLength(300);
          }
        } finally {
          setup.close();
        }
        // 0-199 and 100-299, in batches of 20 from opposite ends: 100 steps are fought over.
        const racer = (runId: string, from: number, reverse: boolean): ChildTask => ({
          kind: "claim",
          runId,
          assetKey: "squares",
          from,
          to: from + 200,
          batch: 20,
          reverse,
        });
        const [a, b] = await race<ClaimResult>(harness, location, [
          racer("racer-a", 0, false),
          racer("racer-b", 100, true),
        ]);
        const claimedA = new Set(a.claimed);
        const claimedB = new Set(b.claimed);
        expect(claimedA.size).toBe(a.claimed.length);
        expect(claimedB.size).toBe(b.claimed.length);
        expect([...claimedA].filter((k) => claimedB.has(k))).toEqual([]);
        const all = Array.from({ length: 300 }, (_, i) => raceKey(i));
        expect(new Set([...claimedA, ...claimedB])).toEqual(new Set(all));
        for (let i = 0; i < 100; i++) expect(claimedA.has(raceKey(i))).toBe(true);
        for (let i = 200; i < 300; i++) expect(claimedB.has(raceKey(i))).toBe(true);
        // what one did not get, the other held
        expect(a.held.every((h) => h.holderRunId === "racer-b" && claimedB.has(h.partitionKey))).toBe(true);
        expect(b.held.every((h) => h.holderRunId === "racer-a" && claimedA.has(h.partitionKey))).toBe(true);
        expect(a.claimed.length + a.held.length).toBe(200);
        expect(b.claimed.length + b.held.length).toBe(200);
        if (crashed) {
          const storage = harness.open(location);
          try {
            expect(storage.getRun(crashed.runId)!.status).toBe("interrupted");
          } finally {
            storage.close();
          }
        }
      },
      RACE_TIMEOUT_MS,
    );

    it.each(trials)(
      "two processes re-checking after each claim materialize every step exactly once (trial %i)",
      async (trial) => {
        const location = harness.freshLocation(`compute_race_${trial}`);
        harness.open(location).close();
        const computer = (runId: string, reverse: boolean): ChildTask => ({
          kind: "compute",
          runId,
          assetKey: "squares",
          count: 200,
          batch: 10,
          reverse,
        });
        const [a, b] = await race<ComputeResult>(harness, location, [
          computer("computer-a", false),
          computer("computer-b", true),
        ]);
        const all = Array.from({ length: 200 }, (_, i) => raceKey(i));
        expect([...a.computed, ...b.computed].sort()).toEqual([...all].sort());
        expect([...a.computed, ...a.doneElsewhere].sort()).toEqual([...all].sort());
        expect([...b.computed, ...b.doneElsewhere].sort()).toEqual([...all].sort());
        const storage = harness.open(location);
        try {
          const events = [
            ...storage.getEvents("computer-a", { types: ["materialization"] }),
            ...storage.getEvents("computer-b", { types: ["materialization"] }),
          ];
          expect(events.map((e) => e.partitionKey).sort()).toEqual([...all].sort());
          expect(storage.countAssetPartitionStates("squares")).toEqual({ materialized: 200, failed: 0 });
        } finally {
          storage.close();
        }
      },
      RACE_TIMEOUT_MS,
    );

    it.each(trials)(
      "two processes opening a fresh instance at once both migrate it correctly (trial %i)",
      async (trial) => {
        const location = harness.freshLocation(`open_race_${trial}`);
        const results = await race<OpenResult>(harness, location, [
          { kind: "open", runId: "opener-a" },
          { kind: "open", runId: "opener-b" },
        ]);
        expect(results).toEqual([{ opened: true }, { opened: true }]);
        const { found, latest } = await harness.schemaVersion(location);
        expect(found).toBe(latest);
        const storage = harness.open(location);
        try {
          expect(
            storage
              .listRuns()
              .map((r) => r.runId)
              .sort(),
          ).toEqual(["opener-a", "opener-b"]);
          expect([...storage.getDynamicPartitions("openers")].sort()).toEqual(["opener-a", "opener-b"]);
        } finally {
          storage.close();
        }
        expect((await harness.schemaVersion(location)).found).toBe(latest);
      },
      RACE_TIMEOUT_MS,
    );
  });
}
