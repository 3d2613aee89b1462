import { describe, expect, it } from "vitest";
import type { EventRecord } from "../../types.ts";
import { createTestRun, failure, materialization } from "../storage-fixtures.ts";
import type { TestInstance } from "./harness.ts";
import { thrown } from "./thrown.ts";

/** An event as getEvents returns it: every optional field present (null when not given), with an id. */
function stored(event: EventRecord): EventRecord {
  return {
    id: expect.any(Number) as unknown as number,
    runId: event.runId,
    type: event.type,
    assetKey: event.assetKey,
    partitionKey: event.partitionKey,
    timestamp: event.timestamp,
    durationMs: event.durationMs ?? null,
    metadata: event.metadata ?? null,
    error: event.error ?? null,
    message: event.message ?? null,
  };
}

function stepStart(runId: string, partitionKey: string): EventRecord {
  return {
    runId,
    type: "step_start",
    assetKey: "squares",
    partitionKey,
    timestamp: new Date().toISOString(),
  };
}

export function eventCases(instance: () => TestInstance): void {
  describe("event log", () => {
    it("returns a run's events in append order with every field intact", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      const events: EventRecord[] = [
        {
          runId,
          type: "run_start",
          assetKey: null,
          partitionKey: null,
          timestamp: "2025-01-01T00:00:00.000Z",
        },
        stepStart(runId, "1"),
        materialization(runId, "squares", "1", {
          rows: 3,
          ratio: 0.125,
          nested: { ok: true, none: null, list: [1, "a", false] },
          text: "ünïcödé ✓ 😀",
        }),
        { ...failure(runId, "squares", "2", "boom"), durationMs: 2.5 },
        {
          ...failure(runId, "squares", "3", "bad config"),
          error: {
            message: "bad config",
            name: "ConfigError",
            stack: "ConfigError: bad config",
            hint: "fix it",
          },
        },
        {
          runId,
          type: "step_skipped",
          assetKey: "cubes",
          partitionKey: "2",
          timestamp: "2025-01-01T00:00:01.000Z",
          message: "upstream failed: squares[2]",
        },
        { runId, type: "run_end", assetKey: null, partitionKey: null, timestamp: "2025-01-01T00:00:02.000Z" },
      ];
      storage.appendEvents(events);
      const read = storage.getEvents(runId);
      expect(read).toEqual(events.map(stored));
      const ids = read.map((e) => e.id!);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
    });

    it("numbers events increasingly across batches and runs", () => {
      const { storage } = instance();
      const a = createTestRun(storage).runId;
      const b = createTestRun(storage).runId;
      storage.appendEvents([stepStart(a, "1"), stepStart(b, "1")]);
      storage.appendEvents([stepStart(a, "2")]);
      storage.appendEvents([stepStart(b, "2"), stepStart(a, "3")]);
      const ofA = storage.getEvents(a).map((e) => e.id!);
      const ofB = storage.getEvents(b).map((e) => e.id!);
      expect(storage.getEvents(a).map((e) => e.partitionKey)).toEqual(["1", "2", "3"]);
      expect(storage.getEvents(b).map((e) => e.partitionKey)).toEqual(["1", "2"]);
      expect(ofA[0]).toBeLessThan(ofB[0]);
      expect(ofB[0]).toBeLessThan(ofA[1]);
      expect(ofA[1]).toBeLessThan(ofB[1]);
      expect(ofB[1]).toBeLessThan(ofA[2]);
    });

    it("pages with afterId and limit and filters by types", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      storage.appendEvents(["1", "2", "3", "4"].map((k) => stepStart(runId, k)));
      storage.appendEvents([materialization(runId, "squares", "1"), failure(runId, "squares", "2", "x")]);
      const keys = (events: EventRecord[]) => events.map((e) => `${e.type}:${e.partitionKey}`);
      const firstTwo = storage.getEvents(runId, { limit: 2 });
      expect(keys(firstTwo)).toEqual(["step_start:1", "step_start:2"]);
      const rest = storage.getEvents(runId, { afterId: firstTwo[1].id });
      expect(keys(rest)).toEqual(["step_start:3", "step_start:4", "materialization:1", "step_failure:2"]);
      expect(keys(storage.getEvents(runId, { afterId: firstTwo[1].id, limit: 1 }))).toEqual(["step_start:3"]);
      expect(storage.getEvents(runId, { afterId: rest[3].id })).toEqual([]);
      expect(storage.getEvents(runId, { limit: 0 })).toEqual([]);
      expect(keys(storage.getEvents(runId, { types: ["materialization", "step_failure"] }))).toEqual([
        "materialization:1",
        "step_failure:2",
      ]);
      expect(
        keys(storage.getEvents(runId, { types: ["step_start"], afterId: firstTwo[0].id, limit: 2 })),
      ).toEqual(["step_start:2", "step_start:3"]);
      expect(storage.getEvents(runId, { types: [] })).toEqual([]);
      expect(storage.getEvents("no-such-run")).toEqual([]);
    });

    it("rejects a bad page or an unknown event type in a query", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      expect(thrown(() => storage.getEvents(runId, { afterId: -1 })).code).toBe("invalid_page");
      expect(thrown(() => storage.getEvents(runId, { afterId: 1.5 })).code).toBe("invalid_page");
      expect(thrown(() => storage.getEvents(runId, { limit: -1 })).code).toBe("invalid_page");
      expect(thrown(() => storage.getEvents(runId, { types: ["exploded" as never] })).code).toBe(
        "invalid_event",
      );
    });

    it("writes nothing for an empty batch", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      storage.appendEvents([]);
      expect(storage.getEvents(runId)).toEqual([]);
    });

    it("rejects a whole batch when one event is invalid, writing nothing", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      const noAsset = { ...materialization(runId, "squares", "2"), assetKey: null };
      const err = thrown(() => storage.appendEvents([materialization(runId, "squares", "1"), noAsset]));
      expect(err.code).toBe("invalid_event");
      expect(err.message).toBe("event 1 (materialization) has no assetKey");
      const badType = { ...stepStart(runId, "3"), type: "exploded" as never };
      expect(thrown(() => storage.appendEvents([stepStart(runId, "1"), badType])).code).toBe("invalid_event");
      expect(storage.getEvents(runId)).toEqual([]);
      expect(storage.getAssetPartitionState("squares", "1")).toBeUndefined();
    });

    it("rejects a batch naming a run that does not exist, writing nothing of it", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      const err = thrown(() =>
        storage.appendEvents([
          materialization(runId, "squares", "1"),
          materialization("ghost-run", "squares", "2"),
          materialization(runId, "squares", "3"),
        ]),
      );
      expect(err.code).toBe("unknown_run");
      expect(err.message).toContain("ghost-run");
      expect(err.message).toContain("does not exist");
      expect(storage.getEvents(runId)).toEqual([]);
      expect(storage.countAssetPartitionStates("squares")).toEqual({ materialized: 0, failed: 0 });
      // the storage stays usable after the failed batch
      storage.appendEvents([materialization(runId, "squares", "1")]);
      expect(storage.getEvents(runId)).toHaveLength(1);
    });
  });
}
