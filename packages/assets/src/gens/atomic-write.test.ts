import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { removeStaleTempFiles } from "../generation/stale-temp-files.ts";
import { writeFileAtomic, writeFilesAtomic } from "./atomic-write.ts";
import { type PendingFile, WriterPool } from "./writer-pool.ts";

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

  it("replaces an existing file and leaves no temp file", async () => {
    const file = path.join(dir, "new", "out.txt");
    await writeFileAtomic(file, "one");
    await writeFileAtomic(file, "two ünïcode");
    expect(fs.readFileSync(file, "utf8")).toBe("two ünïcode");
    expect(fs.readdirSync(path.dirname(file))).toEqual(["out.txt"]);
  });

  it("names temp files so a later run recognises them as this process's", async () => {
    // A crash between write and rename leaves the temp file behind: removeStaleTempFiles must
    // read its writer's pid from the name (alive here, so the file is kept).
    const seen: string[] = [];
    const pool = new WriterPool(1);
    const spy = {
      write(files: readonly PendingFile[]) {
        for (const f of files) seen.push(path.basename(f.temp));
        return pool.write(files);
      },
    } as WriterPool;
    try {
      await writeFileAtomic(path.join(dir, "a.txt"), "x", spy);
    } finally {
      await pool.close();
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
    await expect(writeFileAtomic(target, "new")).rejects.toMatchObject({
      code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/),
      syscall: "rename",
    });
    expect(fs.readdirSync(dir)).toEqual(["taken"]);
  });
});

describe("writeFilesAtomic", () => {
  it("writes every file of a batch", async () => {
    const files = ["raw.txt", "metadata.json", "parsed.txt"].map((name, i) => ({
      file: path.join(dir, "gen", name),
      content: `content ${i}`,
    }));
    await writeFilesAtomic(files);
    for (const { file, content } of files) expect(fs.readFileSync(file, "utf8")).toBe(content);
    expect(fs.readdirSync(path.join(dir, "gen")).sort()).toEqual(["metadata.json", "parsed.txt", "raw.txt"]);
  });

  it("stops at the first failing file: earlier files are in place, later ones never written", async () => {
    const taken = path.join(dir, "metadata.json");
    fs.mkdirSync(path.join(taken, "child"), { recursive: true });
    await expect(
      writeFilesAtomic([
        { file: path.join(dir, "raw.txt"), content: "raw" },
        { file: taken, content: "{}" },
        { file: path.join(dir, "parsed.txt"), content: "7.0\n" },
      ]),
    ).rejects.toMatchObject({ syscall: "rename" });
    expect(fs.readFileSync(path.join(dir, "raw.txt"), "utf8")).toBe("raw");
    expect(fs.readdirSync(dir).sort()).toEqual(["metadata.json", "raw.txt"]);
  });
});

describe("WriterPool", () => {
  it("spreads many concurrent writes over its threads and finishes them all", async () => {
    const pool = new WriterPool(2);
    try {
      const files = Array.from({ length: 200 }, (_, i) => path.join(dir, `d${i % 7}`, `f${i}.txt`));
      await Promise.all(
        files.map((file, i) => pool.write([{ file, temp: `${file}.${i}.tmp`, content: `content ${i}` }])),
      );
      for (const [i, f] of files.entries()) expect(fs.readFileSync(f, "utf8")).toBe(`content ${i}`);
      const leftovers = fs.readdirSync(dir, { recursive: true }).filter((n) => String(n).endsWith(".tmp"));
      expect(leftovers).toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it("rejects pending writes when closed and starts afresh on the next write", async () => {
    const pool = new WriterPool(1);
    const file = path.join(dir, "x.txt");
    const pending = pool.write([{ file, temp: `${file}.1.tmp`, content: "a".repeat(1 << 20) }]);
    await pool.close();
    await expect(pending).rejects.toThrow(/file-writer thread exited/);
    await pool.write([{ file, temp: `${file}.2.tmp`, content: "after" }]);
    expect(fs.readFileSync(file, "utf8")).toBe("after");
    await pool.close();
  });

  it("starts another thread only when every running one has a backlog", async () => {
    const pool = new WriterPool(2, { backlog: 2 });
    const batch = (i: number) => [
      { file: path.join(dir, `f${i}`), temp: path.join(dir, `.f${i}.tmp`), content: "x" },
    ];
    try {
      // Replies arrive asynchronously, so writes made in one go queue up on the threads.
      const first = [pool.write(batch(1)), pool.write(batch(2))];
      expect(pool.threads).toBe(1);
      const more = [pool.write(batch(3)), pool.write(batch(4)), pool.write(batch(5)), pool.write(batch(6))];
      expect(pool.threads).toBe(2);
      await Promise.all([...first, ...more]);
      expect(fs.readdirSync(dir).sort()).toEqual(["f1", "f2", "f3", "f4", "f5", "f6"]);
    } finally {
      await pool.close();
    }
  });

  it("refuses a size that is not a positive integer", () => {
    expect(() => new WriterPool(0)).toThrow(/positive integer, got 0/);
  });
});
