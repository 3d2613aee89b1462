import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createTestRun,
  expectNewVersions,
  failure,
  materialization,
} from "../../testing/storage-fixtures.ts";
import { makeTempDir, removeTempDir } from "../../testing/temp-dirs.ts";
import type { EventRecord } from "../../types.ts";
import { SQL_EVENTS_OF_RUN } from "./events.ts";
import {
  SQL_GET_STATE,
  SQL_LATEST_STATE,
  SQL_MATERIALIZED_KEYS,
  SQL_PARTITIONS_READING,
  SQL_STATE_CHANGES,
  SQL_STATE_VERSION,
} from "./partition-state.ts";
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
      // What an inspection reads to keep its values up to date: index look-ups only.
      expect(plan(SQL_STATE_CHANGES, "a", 0, 9)).toMatch(
        /SEARCH asset_partition_state USING INDEX .*by_recency/,
      );
      expect(plan(SQL_PARTITIONS_READING, "[]", "a")).toMatch(
        /SEARCH i USING .*INDEX partition_inputs_by_input/,
      );
      for (const sql of [
        SQL_GET_STATE,
        SQL_LATEST_STATE,
        SQL_MATERIALIZED_KEYS,
        SQL_EVENTS_OF_RUN,
        SQL_STATE_VERSION,
        SQL_STATE_CHANGES,
        SQL_PARTITIONS_READING,
      ]) {
        const args = sql
          .split("?")
          .slice(1)
          .map(() => "x");
        // Scanning the one constant row or the JSON list given as a parameter is no table scan.
        expect(plan(sql, ...args)).not.toMatch(
          /\bSCAN (?!CONSTANT ROW|s VIRTUAL TABLE)|TEMP B-TREE FOR ORDER/,
        );
      }
    } finally {
      raw.close();
    }
  });
});

describe("the version of an asset's states on SQLite", () => {
  it("moves on every outcome and wipe of the asset, and only then", () => {
    const next = expectNewVersions(() => storage.assetStateVersion("squares"));
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
    // No states again, as at first, but a wipe is counted: the version is not the first one.
    expect(storage.assetStateVersion("squares")).not.toBe(empty);
    next();
  });

  it("lists each partition recorded since a version once, with its latest state", () => {
    const versioned = (partition: string, code: string | null): EventRecord => ({
      ...materialization(runId, "squares", partition),
      versions: { code, data: `d-${partition}`, inputs: [] },
    });
    storage.appendEvents([versioned("a", "v1"), versioned("b", "v1")]);
    const start = storage.assetStateVersion("squares");
    expect(storage.assetStateChanges("squares", start)).toEqual({ version: start, changes: [] });
    storage.appendEvents([versioned("a", "v2"), materialization(runId, "other", "x")]);
    storage.appendEvents([failure(runId, "squares", "a", "boom"), materialization(runId, "squares", "c")]);
    storage.appendEvents([failure(runId, "squares", "d", "boom")]);
    const since = storage.assetStateChanges("squares", start);
    expect(since?.version).toBe(storage.assetStateVersion("squares"));
    // A failure keeps its last success's versions; a success without versions has none.
    expect(since?.changes.sort((x, y) => x.partitionKey.localeCompare(y.partitionKey))).toEqual([
      { partitionKey: "a", status: "failed", versioned: true, code: "v2" },
      { partitionKey: "c", status: "materialized", versioned: false, code: null },
      { partitionKey: "d", status: "failed", versioned: false, code: null },
    ]);
    expect(storage.assetStateChanges("squares", since!.version)?.changes).toEqual([]);
  });

  it("cannot tell the changes since a version once the asset was wiped, or of a malformed version", () => {
    storage.appendEvents([materialization(runId, "squares", "a"), materialization(runId, "squares", "b")]);
    const start = storage.assetStateVersion("squares");
    storage.wipeAssetPartitionStates("squares", "b");
    storage.appendEvents([materialization(runId, "squares", "c")]);
    expect(storage.assetStateChanges("squares", start)).toBeUndefined();
    const afterWipe = storage.assetStateVersion("squares");
    expect(storage.assetStateChanges("squares", afterWipe)?.changes).toEqual([]);
    expect(storage.assetStateChanges("squares", "garbage")).toBeUndefined();
    // A version from the future (another instance's) is not taken for a past one.
    expect(storage.assetStateChanges("squares", "999999:0")).toBeUndefined();
  });

  it("compares the recorded inputs of a scope: given partitions and those that read given upstream partitions", () => {
    const up = (partition: string, data: string): EventRecord => ({
      ...materialization(runId, "prompts", partition),
      versions: { code: "c", data, inputs: [] },
    });
    const down = (partition: string, read: [string, string][]): EventRecord => ({
      ...materialization(runId, "responses", partition),
      versions: {
        code: null,
        data: `r-${partition}`,
        inputs: read.map(([p, version]) => ({ asset: "prompts", partition: p, version })),
      },
    });
    storage.appendEvents([
      up("a", "a2"),
      up("b", "b2"),
      up("c", "c1"),
      down("x", [["a", "a1"]]),
      down("y", [["b", "b1"]]),
      down("z", [
        ["c", "c1"],
        ["b", "b1"],
      ]),
      down("w", [["c", "c1"]]),
    ]);
    const scoped = storage.listInputMismatchesIn("responses", [], {
      partitions: ["x", "w"],
      inputs: [{ asset: "prompts", partition: "b" }],
    });
    expect(scoped.partitions.sort()).toEqual(["w", "x", "y", "z"]);
    expect(scoped.mismatches).toEqual([
      { partitionKey: "x", asset: "prompts", partition: "a", changed: true },
      { partitionKey: "y", asset: "prompts", partition: "b", changed: true },
      { partitionKey: "z", asset: "prompts", partition: "b", changed: true },
    ]);
    // Stale upstream counts as in listInputMismatches; an empty scope compares nothing.
    expect(
      storage.listInputMismatchesIn("responses", [{ asset: "prompts", partition: "c" }], {
        partitions: ["w"],
        inputs: [],
      }).mismatches,
    ).toEqual([{ partitionKey: "w", asset: "prompts", partition: "c", changed: false }]);
    expect(storage.listInputMismatchesIn("responses", [], { partitions: [], inputs: [] })).toEqual({
      partitions: [],
      mismatches: [],
    });
  });
});
