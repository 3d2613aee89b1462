import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PartitionError } from "../../../errors.ts";
import { makeTempDir, removeTempDir } from "../../testing/temp-dirs.ts";
import { SQL_HAS_PARTITION, SQL_PARTITION_PAGE } from "./dynamic-partitions.ts";
import { SqliteStorage } from "./sqlite-storage.ts";

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

describe("dynamic partitions", () => {
  it("adds keys and returns how many were new", () => {
    expect(storage.addDynamicPartitions("gens", ["a", "b", "c"])).toBe(3);
    expect(storage.addDynamicPartitions("gens", ["b", "c", "d"])).toBe(1);
    expect(storage.addDynamicPartitions("gens", ["a", "b", "c", "d"])).toBe(0);
    expect(storage.countDynamicPartitions("gens")).toBe(4);
  });

  it("counts a key repeated within one call once", () => {
    expect(storage.addDynamicPartitions("gens", ["x", "x", "y", "x"])).toBe(2);
    expect(storage.getDynamicPartitions("gens")).toEqual(["x", "y"]);
  });

  it("accepts any iterable, including a generator", () => {
    function* keys() {
      yield "g1";
      yield "g2";
    }
    expect(storage.addDynamicPartitions("gens", keys())).toBe(2);
    expect(storage.addDynamicPartitions("gens", new Set(["g2", "g3"]))).toBe(1);
  });

  it("lists keys in insertion order, not alphabetical order", () => {
    storage.addDynamicPartitions("gens", ["zeta", "alpha", "mid"]);
    storage.addDynamicPartitions("gens", ["alpha", "beta"]);
    expect(storage.getDynamicPartitions("gens")).toEqual(["zeta", "alpha", "mid", "beta"]);
  });

  it("keeps insertion order for keys added after the last key was deleted", () => {
    storage.addDynamicPartitions("gens", ["a", "b", "c"]);
    storage.deleteDynamicPartitions("gens", ["c"]);
    storage.addDynamicPartitions("gens", ["d", "c"]);
    expect(storage.getDynamicPartitions("gens")).toEqual(["a", "b", "d", "c"]);
  });

  it("pages with offset and limit", () => {
    storage.addDynamicPartitions("gens", ["k0", "k1", "k2", "k3", "k4"]);
    expect(storage.getDynamicPartitions("gens", { limit: 2 })).toEqual(["k0", "k1"]);
    expect(storage.getDynamicPartitions("gens", { offset: 2, limit: 2 })).toEqual(["k2", "k3"]);
    expect(storage.getDynamicPartitions("gens", { offset: 4 })).toEqual(["k4"]);
    expect(storage.getDynamicPartitions("gens", { offset: 9 })).toEqual([]);
    expect(() => storage.getDynamicPartitions("gens", { offset: -1 })).toThrow(/offset/);
  });

  it("answers has and count per definition name", () => {
    storage.addDynamicPartitions("drafts", ["a", "b"]);
    storage.addDynamicPartitions("essays", ["a"]);
    expect(storage.hasDynamicPartition("drafts", "b")).toBe(true);
    expect(storage.hasDynamicPartition("essays", "b")).toBe(false);
    expect(storage.countDynamicPartitions("essays")).toBe(1);
    expect(storage.countDynamicPartitions("never_added")).toBe(0);
    expect(storage.getDynamicPartitions("never_added")).toEqual([]);
  });

  it("deletes only the keys given and reports how many existed", () => {
    storage.addDynamicPartitions("gens", ["a", "b", "c"]);
    expect(storage.deleteDynamicPartitions("gens", ["b", "zzz"])).toBe(1);
    expect(storage.deleteDynamicPartitions("gens", [])).toBe(0);
    expect(storage.getDynamicPartitions("gens")).toEqual(["a", "c"]);
  });

  it("lists the definitions with their key counts", () => {
    storage.addDynamicPartitions("essays", ["a"]);
    storage.addDynamicPartitions("drafts", ["a", "b"]);
    expect(storage.listDynamicPartitionsDefinitions()).toEqual([
      { name: "drafts", count: 2 },
      { name: "essays", count: 1 },
    ]);
  });

  it("validates every key before writing any, naming the bad key and its index", () => {
    const keys = ["ok-1", "ok-2", "bad/key", "ok-3"];
    let error: unknown;
    try {
      storage.addDynamicPartitions("gens", keys);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PartitionError);
    expect((error as PartitionError).message).toBe(
      'partition key "bad/key" at index 2 for partitions "gens" contains "/"',
    );
    expect((error as PartitionError).hint).toBeTruthy();
    expect(storage.countDynamicPartitions("gens")).toBe(0);
  });

  it("rejects a definition name that is not an identifier", () => {
    expect(() => storage.addDynamicPartitions("bad name", ["a"])).toThrow(/not an identifier/);
    expect(() => storage.countDynamicPartitions("")).toThrow(PartitionError);
  });

  it("keeps keys across reopening the database", () => {
    storage.addDynamicPartitions("gens", ["b", "a"]);
    storage.close();
    storage = new SqliteStorage(dbPath);
    expect(storage.getDynamicPartitions("gens")).toEqual(["b", "a"]);
    expect(storage.addDynamicPartitions("gens", ["a", "c"])).toBe(1);
  });

  it("adds 60,000 keys in one call (several statements) in order, and 0 when added again", () => {
    const keys = Array.from({ length: 60_000 }, (_, i) => `gen_${i.toString(36)}`);
    storage.addDynamicPartitions("gens", [keys[55_000]]);
    expect(storage.addDynamicPartitions("gens", keys)).toBe(59_999);
    expect(storage.addDynamicPartitions("gens", keys)).toBe(0);
    expect(storage.countDynamicPartitions("gens")).toBe(60_000);
    const listed = storage.getDynamicPartitions("gens");
    expect(listed[0]).toBe(keys[55_000]);
    expect(listed.slice(1)).toEqual(keys.filter((_, i) => i !== 55_000));
  });

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
