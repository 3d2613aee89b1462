import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
