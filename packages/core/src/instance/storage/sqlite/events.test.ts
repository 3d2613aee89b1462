import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StorageError } from "../../../errors.ts";
import { createTestRun, failure, materialization } from "../../testing/storage-fixtures.ts";
import { makeTempDir, removeTempDir } from "../../testing/temp-dirs.ts";
import type { EventRecord } from "../../types.ts";
import { SQL_EVENTS_OF_RUN } from "./events.ts";
import { SQL_GET_STATE, SQL_LATEST_STATE, SQL_MATERIALIZED_KEYS } from "./partition-state.ts";
import { SqliteStorage } from "./sqlite-storage.ts";

let dir: string;
let dbPath: string;
let storage: SqliteStorage;
let runId: string;

beforeEach(() => {
  dir = makeTempDir();
  dbPath = path.join(dir, "instance.db");
  storage = new SqliteStorage(dbPath);
  runId = createTestRun(storage).runId;
});

afterEach(() => {
  storage.close();
  removeTempDir(dir);
});

function stepStart(partitionKey: string): EventRecord {
  const at = new Date().toISOString();
  return { runId, type: "step_start", assetKey: "squares", partitionKey, timestamp: at };
}

describe("event log", () => {
  it("returns a run's events in append order with ids, metadata and errors intact", () => {
    storage.appendEvents([
      { runId, type: "run_start", assetKey: null, partitionKey: null, timestamp: "2025-01-01T00:00:00.000Z" },
      stepStart("1"),
      materialization(runId, "squares", "1", { rows: 3, nested: { ok: true, list: [1, "a"] } }),
      failure(runId, "squares", "2", "boom"),
      {
        runId,
        type: "step_skipped",
        assetKey: "cubes",
        partitionKey: "2",
        timestamp: "2025-01-01T00:00:01.000Z",
        message: "upstream failed: squares[2]",
      },
    ]);
    const events = storage.getEvents(runId);
    expect(events.map((e) => e.type)).toEqual([
      "run_start",
      "step_start",
      "materialization",
      "step_failure",
      "step_skipped",
    ]);
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id!)].sort((a, b) => a - b));
    expect(events[2].metadata).toEqual({ rows: 3, nested: { ok: true, list: [1, "a"] } });
    expect(events[3].error).toMatchObject({ message: "boom", name: "Error" });
    expect(events[3].error!.stack).toContain("at compute");
    expect(events[4].message).toBe("upstream failed: squares[2]");
    expect(events[0]).toMatchObject({ assetKey: null, partitionKey: null, metadata: null, error: null });
  });

  it("pages with afterId and limit and filters by type", () => {
    storage.appendEvents(["1", "2", "3", "4"].map(stepStart));
    storage.appendEvents([materialization(runId, "squares", "1")]);
    const firstTwo = storage.getEvents(runId, { limit: 2 });
    expect(firstTwo.map((e) => e.partitionKey)).toEqual(["1", "2"]);
    const rest = storage.getEvents(runId, { afterId: firstTwo[1].id });
    expect(rest.map((e) => e.partitionKey)).toEqual(["3", "4", "1"]);
    expect(storage.getEvents(runId, { types: ["materialization"] })).toHaveLength(1);
    expect(storage.getEvents(runId, { types: [] })).toEqual([]);
  });

  it("keeps the events of different runs apart", () => {
    const other = createTestRun(storage).runId;
    storage.appendEvents([stepStart("1"), { ...stepStart("9"), runId: other }]);
    expect(storage.getEvents(other).map((e) => e.partitionKey)).toEqual(["9"]);
  });

  it("rejects a whole batch when one event is invalid, writing nothing", () => {
    const bad = { ...materialization(runId, "squares", "2"), assetKey: null };
    expect(() => storage.appendEvents([materialization(runId, "squares", "1"), bad])).toThrow(
      /event 1 \(materialization\) has no assetKey/,
    );
    expect(storage.getEvents(runId)).toEqual([]);
    expect(storage.getAssetPartitionState("squares", "1")).toBeUndefined();
  });

  it("rejects events of a run that does not exist, naming the run", () => {
    const err = (() => {
      try {
        storage.appendEvents([materialization("ghost-run", "squares", "1")]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).message).toContain("run ghost-run does not exist");
    expect(storage.getAssetPartitionState("squares", "1")).toBeUndefined();
  });
});

describe("latest state per (asset, partition)", () => {
  it("records a materialization as the partition's state", () => {
    storage.appendEvents([materialization(runId, "squares", "4", { value: 16 })]);
    expect(storage.getAssetPartitionState("squares", "4")).toMatchObject({
      assetKey: "squares",
      partitionKey: "4",
      status: "materialized",
      runId,
      durationMs: 12,
      metadata: { value: 16 },
      error: null,
      lastMaterialization: { runId },
    });
    expect(storage.getAssetPartitionState("squares", "5")).toBeUndefined();
  });

  it("stores unpartitioned assets under the empty partition key", () => {
    storage.appendEvents([materialization(runId, "config", null, { n: 1 })]);
    expect(storage.getAssetPartitionState("config")).toMatchObject({
      partitionKey: "",
      status: "materialized",
    });
    expect(storage.materializedPartitionKeys("config")).toEqual(new Set([""]));
  });

  it("lets the latest outcome win while keeping the last success's metadata", () => {
    storage.appendEvents([materialization(runId, "squares", "4", { value: 16 })]);
    const later = createTestRun(storage).runId;
    storage.appendEvents([failure(later, "squares", "4", "rate limited")]);
    const failed = storage.getAssetPartitionState("squares", "4")!;
    expect(failed).toMatchObject({
      status: "failed",
      runId: later,
      error: "rate limited",
      metadata: { value: 16 },
    });
    expect(failed.lastMaterialization!.runId).toBe(runId);
    expect(storage.materializedPartitionKeys("squares")).toEqual(new Set());

    storage.appendEvents([materialization(later, "squares", "4", { value: 17 })]);
    expect(storage.getAssetPartitionState("squares", "4")).toMatchObject({
      status: "materialized",
      error: null,
      metadata: { value: 17 },
      lastMaterialization: { runId: later },
    });
  });

  it("records a failure with no earlier success without metadata", () => {
    storage.appendEvents([failure(runId, "squares", "9", "boom")]);
    expect(storage.getAssetPartitionState("squares", "9")).toMatchObject({
      status: "failed",
      metadata: null,
      lastMaterialization: null,
    });
  });

  it("counts, lists (paged, by status) and returns materialized keys", () => {
    storage.appendEvents([
      ...["c", "a", "b", "d"].map((k) => materialization(runId, "squares", k)),
      failure(runId, "squares", "e", "x"),
      materialization(runId, "cubes", "a"),
    ]);
    expect(storage.countAssetPartitionStates("squares")).toEqual({ materialized: 4, failed: 1 });
    expect(storage.countAssetPartitionStates("unknown")).toEqual({ materialized: 0, failed: 0 });
    expect(storage.listAssetPartitionStates("squares").map((s) => s.partitionKey)).toEqual([
      "a",
      "b",
      "c",
      "d",
      "e",
    ]);
    expect(
      storage.listAssetPartitionStates("squares", { offset: 1, limit: 2 }).map((s) => s.partitionKey),
    ).toEqual(["b", "c"]);
    expect(
      storage.listAssetPartitionStates("squares", { status: "failed" }).map((s) => s.partitionKey),
    ).toEqual(["e"]);
    expect(storage.materializedPartitionKeys("squares")).toEqual(new Set(["a", "b", "c", "d"]));
  });

  it("returns the most recently recorded state among an asset's partitions", () => {
    expect(storage.latestAssetPartitionState("squares")).toBeUndefined();
    storage.appendEvents([materialization(runId, "squares", "b"), materialization(runId, "squares", "a")]);
    expect(storage.latestAssetPartitionState("squares")).toMatchObject({
      partitionKey: "a",
      status: "materialized",
    });
    storage.appendEvents([failure(runId, "squares", "b", "boom"), materialization(runId, "cubes", "z")]);
    expect(storage.latestAssetPartitionState("squares")).toMatchObject({
      partitionKey: "b",
      status: "failed",
    });
  });

  it("wipes one partition or a whole asset without touching the event log", () => {
    storage.appendEvents(["1", "2", "3"].map((k) => materialization(runId, "squares", k)));
    expect(storage.wipeAssetPartitionStates("squares", "2")).toBe(1);
    expect(storage.materializedPartitionKeys("squares")).toEqual(new Set(["1", "3"]));
    expect(storage.wipeAssetPartitionStates("squares")).toBe(2);
    expect(storage.countAssetPartitionStates("squares")).toEqual({ materialized: 0, failed: 0 });
    expect(storage.getEvents(runId)).toHaveLength(3);
  });

  it("answers from its own table: the state survives the event log being emptied", () => {
    storage.appendEvents([materialization(runId, "squares", "1", { value: 1 })]);
    const raw = new Database(dbPath);
    raw.exec("DELETE FROM event_log");
    raw.close();
    expect(storage.getEvents(runId)).toEqual([]);
    expect(storage.getAssetPartitionState("squares", "1")).toMatchObject({ metadata: { value: 1 } });
  });

  it("looks states and run events up through indexes, never a table scan", () => {
    const raw = new Database(dbPath, { readonly: true });
    const plan = (sql: string, ...args: unknown[]) =>
      raw
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...args)
        .map((r) => (r as { detail: string }).detail)
        .join("; ");
    try {
      expect(plan(SQL_GET_STATE, "a", "p")).toMatch(/SEARCH asset_partition_state USING PRIMARY KEY/);
      expect(plan(SQL_MATERIALIZED_KEYS, "a")).toMatch(/SEARCH asset_partition_state/);
      expect(plan(SQL_LATEST_STATE, "a")).toMatch(/SEARCH asset_partition_state USING INDEX .*by_recency/);
      expect(plan(SQL_EVENTS_OF_RUN, "r", 0, -1)).toMatch(/SEARCH event_log USING INDEX event_log_by_run/);
      for (const sql of [SQL_GET_STATE, SQL_LATEST_STATE, SQL_MATERIALIZED_KEYS, SQL_EVENTS_OF_RUN]) {
        const args = sql
          .split("?")
          .slice(1)
          .map(() => "x");
        expect(plan(sql, ...args)).not.toMatch(/\bSCAN\b|TEMP B-TREE/);
      }
    } finally {
      raw.close();
    }
  });

  it("records 10,000 materializations appended in batches", () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `p${i}`);
    for (let i = 0; i < keys.length; i += 500) {
      storage.appendEvents(keys.slice(i, i + 500).map((k) => materialization(runId, "squares", k, { i: k })));
    }
    expect(storage.countAssetPartitionStates("squares").materialized).toBe(10_000);
    expect(storage.materializedPartitionKeys("squares").has("p9999")).toBe(true);
  });
});
