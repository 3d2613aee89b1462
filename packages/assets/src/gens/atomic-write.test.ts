import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { removeStaleTempFiles } from "../generation/staleTempFiles.ts";
import { writeFileAtomic, writeFileAtomicSync } from "./atomic-write.ts";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "atomic-write-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it("creates missing directories and writes the content", async () => {
    const file = path.join(dir, "a", "b", "out.txt");
    await writeFileAtomic(file, "hello");
    expect(fs.readFileSync(file, "utf8")).toBe("hello");
  });

  it("writes synchronously, replacing an existing file", () => {
    const file = path.join(dir, "new", "out.txt");
    writeFileAtomicSync(file, "one");
    writeFileAtomicSync(file, "two");
    expect(fs.readFileSync(file, "utf8")).toBe("two");
    expect(fs.readdirSync(path.dirname(file))).toEqual(["out.txt"]);
  });

  it("names temp files so a later run recognises them as this process's", () => {
    // A crash between write and rename leaves the temp file behind: removeStaleTempFiles must
    // read its writer's pid from the name (alive here, so the file is kept).
    const seen: string[] = [];
    const rename = fs.renameSync;
    fs.renameSync = (from, to) => {
      seen.push(path.basename(String(from)));
      rename(from, to);
    };
    try {
      writeFileAtomicSync(path.join(dir, "a.txt"), "x");
    } finally {
      fs.renameSync = rename;
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(new RegExp(`^\\.a\\.txt\\.${process.pid}\\.[0-9a-f]+\\.tmp$`));
    fs.writeFileSync(path.join(dir, seen[0]), "left by a crash");
    expect(removeStaleTempFiles(dir)).toBe(0);
  });

  it("keeps the old file intact and removes its temp file when the rename fails", async () => {
    // A directory where the file should go makes rename fail after the temp file was written.
    const target = path.join(dir, "taken");
    fs.mkdirSync(path.join(target, "child"), { recursive: true });
    await expect(writeFileAtomic(target, "new")).rejects.toThrow();
    expect(fs.readdirSync(dir)).toEqual(["taken"]);
  });
});
