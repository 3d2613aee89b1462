import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StorageError } from "../../../errors.ts";
import { type Instance, openInstance } from "../../instance.ts";
import { makeTempDir, removeTempDir } from "../../testing/temp-dirs.ts";
import type { Storage } from "../../types.ts";
import { SqliteStorage } from "./sqlite-storage.ts";

let dir: string;
let instance: Instance;

beforeEach(() => {
  dir = makeTempDir();
  instance = openInstance(dir);
});

afterEach(() => {
  instance.close();
  removeTempDir(dir);
});

const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("the SQLite partition writer (a thread of its own)", () => {
  it("adds keys in call order, skips present ones and counts only the new", async () => {
    instance.addDynamicPartitions("drafts", ["d1", "d0"]);
    const writer = instance.openPartitionWriter();
    try {
      const [drafts, essays, again] = await Promise.all([
        writer.add("drafts", keys("d", 60_000)),
        writer.add("essays", ["e2", "e1", "e2"]),
        writer.add("drafts", ["d5", "new"]),
      ]);
      expect([drafts, essays, again]).toEqual([59_998, 2, 1]);
    } finally {
      await writer.close();
    }
    const stored = instance.getDynamicPartitions("drafts");
    // The two present keys keep their places; the rest follow in the order given (60,000 keys
    // are two JSON chunks, whose positions continue one another).
    expect(stored.slice(0, 3)).toEqual(["d1", "d0", "d2"]);
    expect(stored.slice(-2)).toEqual(["d59999", "new"]);
    expect(stored).toHaveLength(60_001);
    expect(instance.getDynamicPartitions("essays")).toEqual(["e2", "e1"]);
  });

  it("refuses a bad key at once and writes nothing of that call", async () => {
    const writer = instance.openPartitionWriter();
    try {
      expect(() => writer.add("drafts", ["ok", "bad\nkey"])).toThrow(
        'partition key "bad\\nkey" at index 1 for partitions "drafts" contains control character U+000A',
      );
      expect(await writer.add("drafts", [])).toBe(0);
    } finally {
      await writer.close();
    }
    expect(instance.countDynamicPartitions("drafts")).toBe(0);
  });

  it("waits for a write lock held by another connection instead of failing", async () => {
    const other = new Database(path.join(dir, "instance.db"));
    other.exec("BEGIN IMMEDIATE");
    const writer = instance.openPartitionWriter();
    try {
      const added = writer.add("drafts", ["a", "b"]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(instance.countDynamicPartitions("drafts")).toBe(0);
      other.exec("COMMIT");
      expect(await added).toBe(2);
    } finally {
      other.close();
      await writer.close();
    }
    expect(instance.getDynamicPartitions("drafts")).toEqual(["a", "b"]);
  });

  it("rejects adds with a StorageError naming the file when its thread cannot write", async () => {
    const other = new Database(path.join(dir, "instance.db"));
    other.exec("DROP TABLE dynamic_partitions");
    other.close();
    const writer = instance.openPartitionWriter();
    const failure = await writer.add("drafts", ["a"]).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(StorageError);
    expect((failure as StorageError).message).toContain(path.join(dir, "instance.db"));
    await writer.close();
  });

  it("refuses adds once closed, and close is idempotent", async () => {
    const writer = instance.openPartitionWriter();
    expect(await writer.add("drafts", ["a"])).toBe(1);
    await Promise.all([writer.close(), writer.close()]);
    await expect(writer.add("drafts", ["b"])).rejects.toMatchObject({ code: "partition_writer_closed" });
    expect(instance.getDynamicPartitions("drafts")).toEqual(["a"]);
  });
});

describe("the instance's writer on a storage without one", () => {
  it("adds synchronously through addDynamicPartitions", async () => {
    const sqlite = new SqliteStorage(path.join(dir, "other.db"));
    // A storage that offers no writer of its own (as PostgreSQL's does not).
    const plain: Storage = new Proxy(sqlite, {
      get: (target, prop) => (prop === "openPartitionWriter" ? undefined : Reflect.get(target, prop, target)),
    });
    const other = openInstance(path.join(dir, "home2"), { storage: plain });
    try {
      const writer = other.openPartitionWriter();
      const added = writer.add("drafts", ["x", "y"]);
      // Written before the promise is awaited: nothing runs elsewhere.
      expect(other.getDynamicPartitions("drafts")).toEqual(["x", "y"]);
      expect(await added).toBe(2);
      await writer.close();
    } finally {
      other.close();
    }
  });
});
