import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StorageError } from "../../../errors.ts";
import { makeTempDir, removeTempDir } from "../../testing/temp-dirs.ts";
import { latestSchemaVersion } from "./migrations.ts";
import { SqliteStorage } from "./sqlite-storage.ts";

let dir: string;
let dbPath: string;

beforeEach(() => {
  dir = makeTempDir();
  dbPath = path.join(dir, "instance.db");
});

afterEach(() => removeTempDir(dir));

function openError(): StorageError {
  try {
    new SqliteStorage(dbPath).close();
  } catch (err) {
    if (err instanceof StorageError) return err;
    throw err;
  }
  throw new Error("expected opening the database to fail");
}

function filesInDir(): string[] {
  return fs.readdirSync(dir).sort();
}

describe("opening the SQLite database", () => {
  it("reports a text file as not a valid SQLite database and leaves it untouched", () => {
    fs.writeFileSync(dbPath, "run_id,status\nr1,started\n");
    const before = fs.readFileSync(dbPath);
    const err = openError();
    expect(err.code).toBe("database_corrupt");
    expect(err.message).toContain(`instance database ${dbPath} is not a valid SQLite database`);
    expect(err.hint).toContain("move it aside");
    expect(err.hint).toContain("backup");
    expect(fs.readFileSync(dbPath).equals(before)).toBe(true);
    expect(filesInDir()).toEqual(["instance.db"]);
  });

  it("reports a file with a SQLite header but garbage pages as corrupt and leaves it untouched", () => {
    const bytes = Buffer.alloc(8192, 0xab);
    Buffer.from("SQLite format 3\0", "latin1").copy(bytes);
    fs.writeFileSync(dbPath, bytes);
    const err = openError();
    expect(err.code).toBe("database_corrupt");
    expect(err.message).toContain(dbPath);
    expect(fs.readFileSync(dbPath).equals(bytes)).toBe(true);
  });

  it("reports a truncated instance database as corrupt and leaves it untouched", () => {
    const storage = new SqliteStorage(dbPath);
    storage.addDynamicPartitions(
      "gens",
      Array.from({ length: 5000 }, (_, i) => `key_${i}`),
    );
    storage.close();
    fs.truncateSync(dbPath, 8 * 4096);
    const before = fs.readFileSync(dbPath);
    let error: unknown;
    try {
      const reopened = new SqliteStorage(dbPath);
      try {
        reopened.countDynamicPartitions("gens");
      } finally {
        reopened.close();
      }
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe("database_corrupt");
    expect(fs.readFileSync(dbPath).equals(before)).toBe(true);
  });

  it("refuses a directory where the database file should be", () => {
    fs.mkdirSync(dbPath);
    const err = openError();
    expect(err.code).toBe("database_not_a_file");
    expect(err.message).toContain(dbPath);
  });

  it("refuses a database written by a newer schema version and leaves it untouched", () => {
    new SqliteStorage(dbPath).close();
    const raw = new Database(dbPath);
    raw.pragma(`user_version = ${latestSchemaVersion() + 5}`);
    raw.close();
    const before = fs.readFileSync(dbPath);
    const err = openError();
    expect(err.code).toBe("schema_too_new");
    expect(err.message).toContain(`schema version ${latestSchemaVersion() + 5}`);
    expect(err.message).toContain(dbPath);
    expect(err.hint).toContain("upgrade");
    expect(fs.readFileSync(dbPath).equals(before)).toBe(true);
  });

  it("treats an empty file as a new database", () => {
    fs.writeFileSync(dbPath, "");
    const storage = new SqliteStorage(dbPath);
    expect(storage.integrityCheck()).toBe("ok");
    storage.close();
  });

  it("waits for another process's write lock instead of failing (busy timeout)", async () => {
    new SqliteStorage(dbPath).close();
    // The child takes the write lock, says so, and commits 500 ms later.
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    const script = `
      const Database = require(${JSON.stringify(driver)});
      const db = new Database(process.argv[1]);
      db.exec("BEGIN IMMEDIATE");
      process.stdout.write("locked\\n");
      setTimeout(() => { db.exec("COMMIT"); db.close(); }, 500);`;
    const child = spawn(process.execPath, ["-e", script, dbPath]);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.once("data", () => resolve());
      child.once("exit", (code) => reject(new Error(`lock holder exited early with ${code}`)));
    });
    const storage = new SqliteStorage(dbPath);
    try {
      expect(storage.addDynamicPartitions("gens", ["a"])).toBe(1);
    } finally {
      storage.close();
      await exited;
    }
  });
});
