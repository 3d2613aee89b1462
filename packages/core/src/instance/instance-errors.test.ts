import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StorageError } from "../errors.ts";
import { openInstance } from "./instance.ts";
import { makeTempDir, removeTempDir } from "./testing/temp-dirs.ts";
import { giveToProbeUser, probeOpenInstance } from "./testing/unprivileged.ts";

let dir: string;

beforeEach(() => {
  dir = makeTempDir();
  // the unprivileged probe must be able to reach the homes below
  fs.chmodSync(dir, 0o755);
});

afterEach(() => removeTempDir(dir));

function openError(home: string): StorageError {
  try {
    openInstance(home).close();
  } catch (err) {
    if (err instanceof StorageError) return err;
    throw err;
  }
  throw new Error(`expected opening ${home} to fail`);
}

/** A home with a database holding one key, owned by the probe's user. */
function populatedHome(name: string): { home: string; dbPath: string; bytes: Buffer } {
  const home = path.join(dir, name);
  const instance = openInstance(home);
  instance.addDynamicPartitions("gens", ["kept"]);
  instance.close();
  giveToProbeUser(home);
  const dbPath = path.join(home, "instance.db");
  return { home, dbPath, bytes: fs.readFileSync(dbPath) };
}

describe("openInstance with bad storage", () => {
  it("succeeds for the unprivileged probe on a writable home (the probe itself works)", () => {
    const { home } = populatedHome("writable");
    expect(probeOpenInstance(home)).toEqual({ ok: true });
  });

  it("refuses a read-only instance.db, naming the file and the fix, and leaves it untouched", () => {
    const { home, dbPath, bytes } = populatedHome("ro-db");
    fs.chmodSync(dbPath, 0o444);
    const result = probeOpenInstance(home);
    expect(result).toMatchObject({ ok: false, name: "StorageError", code: "database_read_only" });
    expect(result.message).toContain(`instance database ${dbPath} cannot be written`);
    expect(result.hint).toContain("chmod u+w");
    expect(fs.readFileSync(dbPath).equals(bytes)).toBe(true);
  });

  it("refuses a read-only home, naming it and the fix, and leaves the database untouched", () => {
    const { home, dbPath, bytes } = populatedHome("ro-home");
    fs.chmodSync(home, 0o555);
    const result = probeOpenInstance(home);
    expect(result).toMatchObject({ ok: false, name: "StorageError", code: "home_not_writable" });
    expect(result.message).toContain(`assets home ${home} is not writable`);
    expect(result.hint).toContain("ASSETS_HOME");
    expect(fs.readFileSync(dbPath).equals(bytes)).toBe(true);
  });

  it("refuses a home that cannot be created", () => {
    const parent = path.join(dir, "locked");
    fs.mkdirSync(parent, { mode: 0o555 });
    giveToProbeUser(parent);
    const home = path.join(parent, ".assets");
    const result = probeOpenInstance(home);
    expect(result).toMatchObject({ ok: false, code: "home_not_writable" });
    expect(result.message).toContain(`cannot create assets home ${home}: permission denied`);
    expect(fs.existsSync(home)).toBe(false);
  });

  it("refuses a home path that is a file", () => {
    const home = path.join(dir, "not-a-dir");
    fs.writeFileSync(home, "x");
    const err = openError(home);
    expect(err.code).toBe("home_not_a_directory");
    expect(err.message).toContain(home);
    expect(fs.readFileSync(home, "utf8")).toBe("x");
  });

  it("refuses a corrupt instance.db and never overwrites it", () => {
    const home = path.join(dir, "corrupt");
    fs.mkdirSync(home);
    const dbPath = path.join(home, "instance.db");
    fs.writeFileSync(dbPath, "not a database at all\n");
    const err = openError(home);
    expect(err.code).toBe("database_corrupt");
    expect(err.describe()).toContain(`instance database ${dbPath} is not a valid SQLite database`);
    expect(err.describe()).toContain("hint: move it aside");
    expect(fs.readFileSync(dbPath, "utf8")).toBe("not a database at all\n");
    expect(fs.readdirSync(home).sort()).toEqual(["instance.db", "logs"]);
  });
});
