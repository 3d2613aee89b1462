import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "./atomic-write.ts";

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

  it("keeps the old file intact and removes its temp file when the rename fails", async () => {
    // A directory where the file should go makes rename fail after the temp file was written.
    const target = path.join(dir, "taken");
    fs.mkdirSync(path.join(target, "child"), { recursive: true });
    await expect(writeFileAtomic(target, "new")).rejects.toThrow();
    expect(fs.readdirSync(dir)).toEqual(["taken"]);
  });
});
