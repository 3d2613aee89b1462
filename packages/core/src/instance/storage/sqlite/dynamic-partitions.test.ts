import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectNewVersions } from "../../testing/storage-fixtures.ts";
import { makeTempDir, removeTempDir } from "../../testing/temp-dirs.ts";
import { SQL_HAS_PARTITION, SQL_PARTITION_PAGE } from "./dynamic-partitions.ts";
import { SqliteStorage } from "./sqlite-storage.ts";

// What every Storage must do with dynamic partitions is in the conformance suite
// (conformance.test.ts); this file keeps what only SQLite has: its query plans.

let dir: string;
let dbPath: string;
let storage: SqliteStorage;

beforeEach(() => {
  dir = makeTempDir();
  dbPath = path.join(dir, "instance.db");
  storage = new SqliteStorage(dbPath);
});

afterEach(() => {
  storage.close();
  removeTempDir(dir);
});

describe("dynamic partitions on SQLite", () => {
  it("pages and looks keys up through indexes, never a table scan", () => {
    const raw = new Database(dbPath, { readonly: true });
    try {
      for (const sql of [SQL_PARTITION_PAGE, SQL_HAS_PARTITION]) {
        const plan = raw
          .prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .all(
            ...sql
              .split("?")
              .slice(1)
              .map(() => "x"),
          )
          .map((r) => (r as { detail: string }).detail)
          .join("; ");
        expect(plan).toMatch(/SEARCH dynamic_partitions/);
        expect(plan).not.toMatch(/\bSCAN\b|TEMP B-TREE/);
      }
    } finally {
      raw.close();
    }
  });
});

describe("the version of a definition's keys on SQLite", () => {
  it("moves when a key is added or removed, and only then, even when a removed position is reused", () => {
    const changed = expectNewVersions(() => storage.dynamicPartitionsVersion("gens"));
    changed();
    storage.addDynamicPartitions("gens", ["a", "b"]);
    changed();
    const before = storage.dynamicPartitionsVersion("gens");
    storage.addDynamicPartitions("gens", ["a"]);
    storage.addDynamicPartitions("other", ["x"]);
    storage.deleteDynamicPartitions("gens", ["never-added"]);
    expect(storage.dynamicPartitionsVersion("gens")).toBe(before);
    // The last key removed and another added at its position: the same last position, a new version.
    storage.deleteDynamicPartitions("gens", ["b"]);
    changed();
    storage.addDynamicPartitions("gens", ["c"]);
    changed();
    expect(storage.getDynamicPartitions("gens")).toEqual(["a", "c"]);
  });
});
