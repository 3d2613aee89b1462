import { describe, expect, it } from "vitest";
import type { CheckResultRecord } from "../../check-records.ts";
import { createTestRun, failure, materialization } from "../storage-fixtures.ts";
import type { TestInstance } from "./harness.ts";
import { thrown } from "./thrown.ts";

const steps = (...keys: string[]) => keys.map((partitionKey) => ({ assetKey: "squares", partitionKey }));

function check(runId: string, partitionKey: string, passed: boolean): CheckResultRecord {
  return {
    assetKey: "squares",
    checkName: "non_empty",
    partitionKey,
    runId,
    timestamp: new Date().toISOString(),
    passed,
    severity: "error",
    blocking: !passed,
    description: passed ? null : "empty",
    metadata: { bytes: passed ? 3 : 0 },
  };
}

export function recordBatchCases(instance: () => TestInstance): void {
  describe("record batch (a run's flush)", () => {
    it("writes events, partition states and check results and releases the steps' claims", () => {
      const { storage } = instance();
      const run = createTestRun(storage);
      const other = createTestRun(storage);
      storage.claimSteps(run.runId, steps("1", "2", "3"));
      storage.recordBatch({
        events: [
          materialization(run.runId, "squares", "1", { n: 1 }),
          failure(run.runId, "squares", "2", "boom"),
        ],
        checkResults: [check(run.runId, "1", true)],
        release: { runId: run.runId, steps: steps("1", "2") },
      });
      expect(storage.getEvents(run.runId).map((e) => [e.type, e.partitionKey])).toEqual([
        ["materialization", "1"],
        ["step_failure", "2"],
      ]);
      expect(storage.getAssetPartitionState("squares", "1")).toMatchObject({
        status: "materialized",
        metadata: { n: 1 },
      });
      expect(storage.getAssetPartitionState("squares", "2")).toMatchObject({
        status: "failed",
        error: "boom",
      });
      expect(storage.listCheckResults("squares")).toMatchObject([
        { partitionKey: "1", passed: true, metadata: { bytes: 3 } },
      ]);
      // Released steps are free for another run; the step not released stays held.
      const outcome = storage.claimSteps(other.runId, steps("1", "2", "3"));
      expect(outcome.claimed).toEqual(steps("1", "2"));
      expect(outcome.held.map((h) => [h.step.partitionKey, h.holder.runId])).toEqual([["3", run.runId]]);
    });

    it("accepts a batch of only check results, or only releases, or nothing", () => {
      const { storage } = instance();
      const run = createTestRun(storage);
      const other = createTestRun(storage);
      storage.claimSteps(run.runId, steps("1"));
      storage.recordBatch({ events: [], checkResults: [check(run.runId, "1", false)] });
      expect(storage.listCheckResults("squares")).toMatchObject([{ passed: false, blocking: true }]);
      storage.recordBatch({ events: [], checkResults: [], release: { runId: run.runId, steps: steps("1") } });
      expect(storage.claimSteps(other.runId, steps("1")).claimed).toEqual(steps("1"));
      storage.recordBatch({ events: [], checkResults: [] });
      expect(storage.getEvents(run.runId)).toEqual([]);
    });

    it("applies two outcomes of one partition in one batch in order", () => {
      const { storage } = instance();
      const run = createTestRun(storage);
      storage.recordBatch({
        events: [
          failure(run.runId, "squares", "1", "first try"),
          materialization(run.runId, "squares", "1", { try: 2 }),
        ],
        checkResults: [check(run.runId, "1", true)],
      });
      expect(storage.getAssetPartitionState("squares", "1")).toMatchObject({
        status: "materialized",
        metadata: { try: 2 },
      });
      expect(storage.listCheckResults("squares")).toHaveLength(1);
    });

    it("writes nothing and releases nothing when a part is refused", () => {
      const { storage } = instance();
      const run = createTestRun(storage);
      const other = createTestRun(storage);
      storage.claimSteps(run.runId, steps("1"));
      const bad = { ...check(run.runId, "1", true), severity: "fatal" as "error" };
      const err = thrown(() =>
        storage.recordBatch({
          events: [materialization(run.runId, "squares", "1")],
          checkResults: [bad],
          release: { runId: run.runId, steps: steps("1") },
        }),
      );
      expect(err.message).toContain('unknown check severity "fatal"');
      const unknown = thrown(() =>
        storage.recordBatch({
          events: [materialization("no-such-run", "squares", "1")],
          checkResults: [],
          release: { runId: run.runId, steps: steps("1") },
        }),
      );
      expect(unknown).toMatchObject({ code: "unknown_run" });
      expect(storage.getEvents(run.runId)).toEqual([]);
      expect(storage.getAssetPartitionState("squares", "1")).toBeUndefined();
      expect(storage.listCheckResults("squares")).toEqual([]);
      expect(storage.claimSteps(other.runId, steps("1")).held).toHaveLength(1);
    });
  });
}
