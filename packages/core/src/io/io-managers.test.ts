import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AssetsError, InputLoadError, PartitionError } from "../errors.ts";
import { csvIOManager } from "./csv.ts";
import { jsonIOManager } from "./json.ts";
import { memoryIOManager } from "./memory.ts";
import { textIOManager } from "./text.ts";

const at = (assetKey: string, partitionKey?: string) => ({ assetKey, partitionKey, runId: "r1" });

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "io-managers-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function filesUnder(root: string): string[] {
  return fs.readdirSync(root, { recursive: true, encoding: "utf8" }).sort();
}

describe("memoryIOManager", () => {
  it("returns the stored value per asset and partition", async () => {
    const io = memoryIOManager();
    const rows = [{ a: 1 }];
    await io.handleOutput(at("table"), rows);
    await io.handleOutput(at("scores", "p1"), 1);
    await io.handleOutput(at("scores", "p2"), 2);
    expect(await io.loadInput(at("table"))).toBe(rows);
    expect(await io.loadInput(at("scores", "p2"))).toBe(2);
  });

  it("raises InputLoadError naming the asset and partition for a value never stored", async () => {
    const io = memoryIOManager();
    await io.handleOutput(at("scores", "p1"), 1);
    const err = await Promise.resolve()
      .then(() => io.loadInput(at("scores", "p9")))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputLoadError);
    expect((err as InputLoadError).message).toContain('asset "scores" partition "p9"');
    expect((err as InputLoadError).hint).toBeTruthy();
  });

  it("keeps an undefined value distinct from a missing one", async () => {
    const io = memoryIOManager();
    await io.handleOutput(at("nothing"), undefined);
    expect(await io.loadInput(at("nothing"))).toBeUndefined();
  });
});

describe("jsonIOManager", () => {
  it("writes <dir>/<asset>.json and <dir>/<asset>/<partition>.json and reads them back", async () => {
    const io = jsonIOManager({ dir });
    await io.handleOutput(at("config"), { a: [1, 2], b: null });
    await io.handleOutput(at("scores", "essay-1"), 7.5);
    expect(filesUnder(dir)).toEqual(["config.json", "scores", path.join("scores", "essay-1.json")]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"))).toEqual({
      a: [1, 2],
      b: null,
    });
    expect(await io.loadInput(at("config"))).toEqual({ a: [1, 2], b: null });
    expect(await io.loadInput(at("scores", "essay-1"))).toBe(7.5);
  });

  it("replaces a file atomically, leaving no temp file behind", async () => {
    const io = jsonIOManager({ dir });
    await io.handleOutput(at("config"), 1);
    await io.handleOutput(at("config"), 2);
    expect(filesUnder(dir)).toEqual(["config.json"]);
    expect(await io.loadInput(at("config"))).toBe(2);
  });

  it("raises InputLoadError with the file path when nothing was stored", async () => {
    const io = jsonIOManager({ dir });
    const err = await Promise.resolve(io.loadInput(at("config"))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputLoadError);
    expect((err as InputLoadError).context.file).toBe(path.join(dir, "config.json"));
    expect((err as InputLoadError).message).toContain("does not exist");
  });

  it("raises InputLoadError for a corrupt file instead of returning garbage", async () => {
    fs.writeFileSync(path.join(dir, "config.json"), "{ not json");
    const err = await Promise.resolve(jsonIOManager({ dir }).loadInput(at("config"))).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputLoadError);
    expect((err as InputLoadError).code).toBe("VALUE_CORRUPT");
  });

  it("refuses to store undefined, which JSON cannot represent", async () => {
    const err = await Promise.resolve(jsonIOManager({ dir }).handleOutput(at("x"), undefined)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AssetsError);
    expect((err as AssetsError).message).toContain('asset "x"');
    expect(fs.existsSync(path.join(dir, "x.json"))).toBe(false);
  });

  it("rejects a partition key that would escape the asset directory", async () => {
    const io = jsonIOManager({ dir });
    await expect(Promise.resolve(io.handleOutput(at("scores", "../evil"), 1))).rejects.toBeInstanceOf(
      PartitionError,
    );
    expect(filesUnder(dir)).toEqual([]);
  });
});

describe("csvIOManager", () => {
  it("keeps the first row's key order as header and loads every value as a string", async () => {
    const io = csvIOManager({ dir });
    const rows = [
      { zeta: "z1", alpha: 1, mid: true },
      { mid: false, alpha: 2.5, zeta: 'quote " and, comma\nnewline' },
    ];
    await io.handleOutput(at("table"), rows);
    const text = fs.readFileSync(path.join(dir, "table.csv"), "utf8");
    expect(text.split("\n")[0]).toBe("zeta,alpha,mid");
    const loaded = (await io.loadInput(at("table"))) as Record<string, string>[];
    expect(loaded).toEqual([
      { zeta: "z1", alpha: "1", mid: "true" },
      { zeta: 'quote " and, comma\nnewline', alpha: "2.5", mid: "false" },
    ]);
    expect(Object.keys(loaded[1])).toEqual(["zeta", "alpha", "mid"]);
  });

  it("writes empty cells for null, undefined and absent keys", async () => {
    const io = csvIOManager({ dir });
    await io.handleOutput(at("table", "p1"), [{ a: null, b: "x" }, { a: undefined }, { b: "y" }]);
    expect(await io.loadInput(at("table", "p1"))).toEqual([
      { a: "", b: "x" },
      { a: "", b: "" },
      { a: "", b: "y" },
    ]);
  });

  it("round-trips an empty table", async () => {
    const io = csvIOManager({ dir });
    await io.handleOutput(at("table"), []);
    expect(await io.loadInput(at("table"))).toEqual([]);
  });

  it("rejects a row with a column the header lacks, naming row and column", async () => {
    const err = await Promise.resolve(
      csvIOManager({ dir }).handleOutput(at("table"), [{ a: 1 }, { a: 2, b: 3 }]),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssetsError);
    expect((err as AssetsError).message).toContain('row 1 has column "b"');
    expect(fs.existsSync(path.join(dir, "table.csv"))).toBe(false);
  });

  it("rejects values that are not an array of row objects", async () => {
    const io = csvIOManager({ dir });
    await expect(Promise.resolve(io.handleOutput(at("t"), { a: 1 }))).rejects.toThrow(/array of row objects/);
    await expect(Promise.resolve(io.handleOutput(at("t"), [{ a: { nested: 1 } }]))).rejects.toThrow(
      /row 0, column "a": an object cannot be a CSV cell/,
    );
  });
});

describe("textIOManager", () => {
  it("stores strings as .txt byte for byte", async () => {
    const io = textIOManager({ dir });
    const text = "línea 1\n\tline 2\n";
    await io.handleOutput(at("essay", "e1"), text);
    expect(fs.readFileSync(path.join(dir, "essay", "e1.txt"), "utf8")).toBe(text);
    expect(await io.loadInput(at("essay", "e1"))).toBe(text);
  });

  it("refuses a non-string value", async () => {
    await expect(Promise.resolve(textIOManager({ dir }).handleOutput(at("essay"), 42))).rejects.toThrow(
      /expected a string, got number/,
    );
  });
});

describe("listing stored partitions", () => {
  const stored = async (io: ReturnType<typeof jsonIOManager>) =>
    [...(await io.storedPartitions!({ assetKey: "scores", partitioned: true }))].sort();
  /** Sets the directory's modification time `secondsAgo` in the past, as if it had settled. */
  const settle = (secondsAgo: number) => {
    const then = new Date(Date.now() - secondsAgo * 1000);
    fs.utimesSync(path.join(dir, "scores"), then, then);
  };

  it("sees files added and removed by anyone, whether or not the directory had settled", async () => {
    const io = jsonIOManager({ dir });
    expect(await stored(io)).toEqual([]);
    await io.handleOutput(at("scores", "a"), 1);
    await io.handleOutput(at("scores", "b"), 2);
    settle(60);
    expect(await stored(io)).toEqual(["a", "b"]);
    fs.rmSync(path.join(dir, "scores", "a.json"));
    expect(await stored(io)).toEqual(["b"]);
    settle(60);
    expect(await stored(io)).toEqual(["b"]);
    fs.writeFileSync(path.join(dir, "scores", "c.json"), "3");
    expect(await stored(io)).toEqual(["b", "c"]);
  });

  it("lists a directory changed moments ago again, even if its time then stays the same", async () => {
    const io = jsonIOManager({ dir });
    await io.handleOutput(at("scores", "a"), 1);
    settle(1);
    const recent = fs.statSync(path.join(dir, "scores")).mtime;
    expect(await stored(io)).toEqual(["a"]);
    // A coarse file system can leave the time where it was after another change in the same tick.
    fs.writeFileSync(path.join(dir, "scores", "b.json"), "2");
    fs.utimesSync(path.join(dir, "scores"), recent, recent);
    expect(await stored(io)).toEqual(["a", "b"]);
  });
});
