import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AtomicCsvWriter, writeCsvAtomic } from "./atomic-file.ts";
import { formatCsvLine } from "./csv-text.ts";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "atomic-csv-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("AtomicCsvWriter", () => {
  it("writes exactly the formatted lines across buffer flushes, multi-byte text and lines larger than the buffer", () => {
    const file = path.join(dir, "t.csv");
    const rows: string[][] = [];
    for (let i = 0; i < 20_000; i++) rows.push([`id-${i}`, "é€😀", i % 7 === 0 ? 'a "quoted", cell' : ""]);
    rows.splice(5_000, 0, ["huge", "€".repeat(400_000)]);
    rows.splice(12_000, 0, ["ascii", "x".repeat(300_000)]);
    writeCsvAtomic(file, ["a", "b", "c"], rows);
    const expected = formatCsvLine(["a", "b", "c"]) + rows.map((r) => formatCsvLine(r)).join("");
    expect(fs.readFileSync(file).equals(Buffer.from(expected, "utf8"))).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(["t.csv"]);
  });

  it("leaves an unchanged file untouched and aborts without a trace", () => {
    const file = path.join(dir, "t.csv");
    expect(writeCsvAtomic(file, ["a"], [["1"]])).toBe(true);
    expect(writeCsvAtomic(file, ["a"], [["1"]])).toBe(false);
    const writer = new AtomicCsvWriter(file, ["a"]);
    writer.writeRow(["2"]);
    writer.abort();
    expect(fs.readFileSync(file, "utf8")).toBe("a\n1\n");
    expect(fs.readdirSync(dir)).toEqual(["t.csv"]);
  });
});
