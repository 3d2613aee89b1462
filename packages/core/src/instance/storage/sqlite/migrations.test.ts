import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StorageError } from "../../../errors.ts";
import { createTestRun } from "../../testing/storage-fixtures.ts";
import { makeTempDir, removeTempDir } from "../../testing/temp-dirs.ts";
import { latestSchemaVersion, MIGRATIONS, type Migration, migrate, readSchemaVersion } from "./migrations.ts";
import { SqliteStorage } from "./sqlite-storage.ts";

let dir: string;
let dbPath: string;

beforeEach(() => {
  dir = makeTempDir();
  dbPath = path.join(dir, "instance.db");
});

afterEach(() => removeTempDir(dir));

function withRaw<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(dbPath);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** A run row with only the columns version 1 had, as older code wrote it. */
function insertOldRun(db: Database.Database, runId: string, status: string, host: string): void {
  db.prepare(
    `INSERT INTO runs (run_id, status, selection, partitions_summary, created_at, pid, host)
     VALUES (?, ?, '*', 'all', '2026-01-01T00:00:00.000Z', 1, ?)`,
  ).run(runId, status, host);
}

const addNotesColumn: Migration = {
  version: latestSchemaVersion() + 1,
  description: "add runs.notes",
  up: (db) => db.exec("ALTER TABLE runs ADD COLUMN notes TEXT"),
};

describe("migrations", () => {
  it("creates the latest schema in an empty database, in WAL mode with foreign keys", () => {
    const storage = new SqliteStorage(dbPath);
    storage.close();
    withRaw((db) => {
      expect(readSchemaVersion(db)).toBe(latestSchemaVersion());
      expect(latestSchemaVersion()).toBe(MIGRATIONS.length);
      const tables = db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .pluck()
        .all();
      expect(tables).toEqual([
        "asset_check_results",
        "asset_partition_state",
        "asset_state_wipes",
        "dynamic_partition_removals",
        "dynamic_partitions",
        "event_log",
        "partition_inputs",
        "runs",
        "semaphore_slots",
        "step_claims",
      ]);
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    });
  });

  it("applies nothing when reopening an up-to-date database, and keeps its data", () => {
    const first = new SqliteStorage(dbPath);
    const run = createTestRun(first);
    first.addDynamicPartitions("gens", ["a"]);
    first.close();
    withRaw((db) => expect(migrate(db, dbPath)).toEqual([]));
    const second = new SqliteStorage(dbPath);
    expect(second.getRun(run.runId)?.runId).toBe(run.runId);
    expect(second.getDynamicPartitions("gens")).toEqual(["a"]);
    expect(second.integrityCheck()).toBe("ok");
    second.close();
  });

  it("upgrades an older database to a newer migration list, keeping its rows", () => {
    const v1 = new SqliteStorage(dbPath);
    const run = createTestRun(v1);
    v1.close();
    const v2 = new SqliteStorage(dbPath, { migrations: [...MIGRATIONS, addNotesColumn] });
    expect(v2.getRun(run.runId)?.runId).toBe(run.runId);
    v2.close();
    withRaw((db) => {
      expect(readSchemaVersion(db)).toBe(latestSchemaVersion() + 1);
      expect(db.prepare("SELECT notes FROM runs").pluck().all()).toEqual([null]);
    });
  });

  it("brings a version 1 database to the latest version, keeping its rows", () => {
    // Written as version 1 code wrote it: today's statements need columns version 1 lacks.
    const run = { runId: "old-run" };
    withRaw((db) => {
      migrate(db, dbPath, MIGRATIONS.slice(0, 1));
      insertOldRun(db, "old-run", "started", "elsewhere");
      db.prepare(
        "INSERT INTO dynamic_partitions (name, position, key) VALUES ('gens', 0, 'a'), ('gens', 1, 'b')",
      ).run();
    });
    // an early build of version 1 also indexed step_claims.run_id
    withRaw((db) => db.exec("CREATE INDEX step_claims_by_run ON step_claims (run_id)"));
    withRaw((db) => expect(readSchemaVersion(db)).toBe(1));
    const latest = new SqliteStorage(dbPath);
    expect(latest.getRun(run.runId)?.runId).toBe(run.runId);
    // version 4: an unfinished run of older code gets one default lease from the migration on
    expect(latest.getRun(run.runId)?.leaseExpiresAt).toBeGreaterThan(Date.now() + 20_000);
    expect(latest.getDynamicPartitions("gens")).toEqual(["a", "b"]);
    expect(latest.integrityCheck()).toBe("ok");
    latest.close();
    withRaw((db) => {
      expect(readSchemaVersion(db)).toBe(latestSchemaVersion());
      const indexes = db.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'",
      );
      expect(indexes.pluck().all()).toContain("asset_partition_state_by_recency");
      expect(indexes.pluck().all()).not.toContain("step_claims_by_run");
      // version 3: events are no longer indexed by asset (no query reads them that way)
      expect(indexes.pluck().all()).not.toContain("event_log_by_asset");
      expect(indexes.pluck().all()).toContain("event_log_by_run");
    });
  });

  it("fills the rows of recorded inputs from the JSON of a version 7 database", () => {
    withRaw((db) => {
      migrate(db, dbPath, MIGRATIONS.slice(0, 7));
      insertOldRun(db, "r", "succeeded", "here");
      const state = db.prepare(
        `INSERT INTO asset_partition_state (asset_key, partition_key, status, run_id, event_id, timestamp,
           last_success_run_id, last_success_at, code_version, data_version, input_versions)
         VALUES (?, ?, 'materialized', 'r', ?, '2026-01-01T00:00:00.000Z', 'r', '2026-01-01T00:00:00.000Z', NULL, ?, ?)`,
      );
      state.run("up", "a", 1, "v2", "[]");
      state.run("down", "a", 2, "d", JSON.stringify([{ asset: "up", partition: "a", version: "v1" }]));
      state.run("same", "a", 3, "d", JSON.stringify([{ asset: "up", partition: "a", version: "v2" }]));
    });
    const latest = new SqliteStorage(dbPath);
    // Read before version 8, "down" read v1 of up[a], which now holds v2: it is stale by its input.
    expect(latest.listInputMismatches("down", [])).toEqual([
      { partitionKey: "a", asset: "up", partition: "a", changed: true },
    ]);
    expect(latest.listInputMismatches("same", [])).toEqual([]);
    latest.close();
  });

  it("rolls a failing migration back entirely and leaves the version unchanged", () => {
    new SqliteStorage(dbPath).close();
    const broken: Migration = {
      version: latestSchemaVersion() + 1,
      description: "half-done change",
      up: (db) => {
        db.exec("CREATE TABLE scratch (x INTEGER)");
        db.exec("ALTER TABLE no_such_table ADD COLUMN y TEXT");
      },
    };
    let error: unknown;
    try {
      new SqliteStorage(dbPath, { migrations: [...MIGRATIONS, broken] });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe("migration_failed");
    expect((error as StorageError).message).toContain(
      `migration ${latestSchemaVersion() + 1} (half-done change)`,
    );
    withRaw((db) => {
      expect(readSchemaVersion(db)).toBe(latestSchemaVersion());
      expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'scratch'").pluck().get()).toBe(0);
    });
  });

  it("refuses a migration list with gaps", () => {
    withRaw((db) => {
      expect(() => migrate(db, dbPath, [{ ...addNotesColumn, version: 2 }])).toThrow(/out of order/);
    });
  });
});
