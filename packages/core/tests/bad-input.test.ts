/**
 * Bad input through the public API: each mistake is a typed, user-facing error that names
 * what is wrong and where, carries a hint, and leaves the instance as it was.
 * (Storage-level cases: instance-errors.test.ts and open-database.test.ts.)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  AssetsError,
  asset,
  DefinitionError,
  defineDefinitions,
  dynamicPartitions,
  type Instance,
  loadDefinitions,
  type MaterializeOptions,
  materialize,
  openInstance,
  PartitionError,
  SelectionError,
  StorageError,
} from "../src/index.ts";

const numbers = dynamicPartitions("numbers");
const defs = defineDefinitions({
  assets: [
    asset({ key: "limit", compute: () => 3 }),
    asset({ key: "squared", partitions: numbers, compute: (ctx) => Number(ctx.partitionKey) ** 2 }),
  ],
});

let dir: string;
let home: string;
let instance: Instance;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "core-bad-input-"));
  home = path.join(dir, "home");
  instance = openInstance(home);
  instance.addDynamicPartitions(numbers, ["1", "2"]);
});
afterEach(() => {
  instance.close();
  vi.unstubAllEnvs();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function rejection(opts: Omit<MaterializeOptions, "instance">): Promise<AssetsError> {
  const err = await materialize(defs, { ...opts, instance }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AssetsError);
  return err as AssetsError;
}

function expectNothingRecorded(): void {
  expect(instance.storage.listRuns()).toEqual([]);
  expect(fs.readdirSync(path.join(home, "logs"))).toEqual([]);
  expect(instance.getDynamicPartitions(numbers)).toEqual(["1", "2"]);
}

describe("materialize refuses bad input before recording anything", () => {
  it.each<[string, Omit<MaterializeOptions, "instance">, typeof AssetsError, RegExp[], RegExp]>([
    [
      "an unregistered partition key",
      { selection: "squared", partitions: { keys: ["1", "7"] } },
      PartitionError,
      [/"7"/, /dynamic partitions "numbers"/, /asset squared/],
      /assets partitions add numbers 7/,
    ],
    [
      "a partition key for an unpartitioned asset",
      { selection: "limit", partitions: { keys: ["1"] } },
      PartitionError,
      [/none of the selected assets is partitioned/, /"limit"/],
      /drop --partition/,
    ],
    [
      "no partition for a partitioned asset",
      { selection: "squared" },
      PartitionError,
      [/need a partition selection/, /squared \(partitions "numbers"\)/],
      /--partition KEY/,
    ],
    [
      "a partition key that cannot name a file",
      { selection: "squared", partitions: { keys: ["a/b"] } },
      PartitionError,
      [/partition key "a\/b"/, /contains "\/"/],
      /become file and directory names/,
    ],
    [
      "a selection syntax error",
      { selection: "squared and (limit", partitions: "all" },
      SelectionError,
      [/syntax error at column 19/, /\n {2}squared and \(limit\n/],
      /.+/,
    ],
    [
      "an unknown asset key in the selection",
      { selection: "squard", partitions: "all" },
      SelectionError,
      [/unknown asset key "squard"/, /did you mean "squared"/],
      /assets list/,
    ],
  ])("%s", async (_what, opts, errorClass, message, hint) => {
    const err = await rejection(opts);
    expect(err).toBeInstanceOf(errorClass);
    expect(err.userError).toBe(true);
    for (const part of message) expect(err.message).toMatch(part);
    expect(err.hint).toMatch(hint);
    expectNothingRecorded();
  });
});

describe("bad definitions and a bad instance", () => {
  it("names the module file and prints the cycle when loaded definitions have one", async () => {
    const file = path.join(dir, "cyclic.ts");
    const core = JSON.stringify(path.join(import.meta.dirname, "..", "src", "index.ts"));
    fs.writeFileSync(
      file,
      `import { asset, defineDefinitions } from ${core};
export default defineDefinitions({
  assets: [
    asset({ key: "a", deps: ["b"], compute: () => 1 }),
    asset({ key: "b", ins: { a: {} }, compute: () => 2 }),
  ],
});
`,
    );
    const err = await loadDefinitions(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DefinitionError);
    expect((err as DefinitionError).message).toContain(file);
    expect((err as DefinitionError).message).toContain("dependency cycle: a -> b -> a");
    expect((err as DefinitionError).context).toMatchObject({ file, assets: "a, b" });
    expect((err as DefinitionError).hint).toContain("remove one of these inputs or deps");
  });

  it("refuses a corrupt instance.db at $ASSETS_HOME, naming it, and leaves it byte for byte", async () => {
    const corruptHome = path.join(dir, "corrupt");
    fs.mkdirSync(corruptHome);
    const dbPath = path.join(corruptHome, "instance.db");
    const garbage = Buffer.from("SQLite format 3\0 but then garbage".padEnd(8192, "x"));
    fs.writeFileSync(dbPath, garbage);
    vi.stubEnv("ASSETS_HOME", corruptHome);
    const err = await materialize(defs, { selection: "limit" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).message).toContain(dbPath);
    expect((err as StorageError).hint).toContain("move it aside");
    expect(fs.readFileSync(dbPath).equals(garbage)).toBe(true);
  });
});
