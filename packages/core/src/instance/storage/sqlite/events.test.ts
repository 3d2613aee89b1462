import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestRun, failure, materialization } from "../../testing/storage-fixtures.ts";
import { makeTempDir, removeTempDir } from "../../testing/temp-dirs.ts";
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

// What every Storage must do with events and partition state is in the conformance suite
// (conformance.test.ts); this file keeps what only SQLite has: its own tables and query plans.

describe("event log and partition state on SQLite", () => {
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
});

describe("the version of an asset's states on SQLite", () => {
  it("moves on every outcome and wipe of the asset, and only then", () => {
    const seen = new Set<string>();
    const next = () => {
      const version = storage.assetStateVersion("squares");
      expect(seen.has(version)).toBe(false);
      seen.add(version);
    };
    const empty = storage.assetStateVersion("squares");
    next();
    storage.appendEvents([materialization(runId, "squares", "a"), materialization(runId, "squares", "b")]);
    next();
    const before = storage.assetStateVersion("squares");
    storage.appendEvents([materialization(runId, "other", "a")]);
    storage.materializedPartitionKeys("squares");
    expect(storage.assetStateVersion("squares")).toBe(before);
    storage.appendEvents([materialization(runId, "squares", "a")]);
    next();
    storage.appendEvents([failure(runId, "squares", "b", "boom")]);
    next();
    // Wiping a partition whose event is not the latest one of the asset still changes it.
    storage.wipeAssetPartitionStates("squares", "a");
    next();
    storage.wipeAssetPartitionStates("squares");
    // No states again, as at first: whatever was read from the empty states still holds.
    expect(storage.assetStateVersion("squares")).toBe(empty);
  });
});
