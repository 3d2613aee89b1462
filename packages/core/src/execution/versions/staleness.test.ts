import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AssetInspector,
  asset,
  type Definitions,
  defineDefinitions,
  dynamicPartitions,
  InspectionCache,
  type Instance,
  jsonIOManager,
  materialize,
  missingPartitionKeys,
  type Storage,
  summarizeStaleness,
} from "../../index.ts";
import { tempInstance } from "../test-support.ts";

const letters = dynamicPartitions("letters");

let env: ReturnType<typeof tempInstance>;
let instance: Instance;
let outDir: string;
/** What `source` returns per partition, and the per-partition code versions of `derived`. */
let sourceText: Record<string, string>;
let templateOf: Record<string, string>;
/** Shared by a test's inspections when set, as a UI server's requests share one. */
let cache: InspectionCache | undefined;

beforeEach(() => {
  env = tempInstance("core-stale-");
  instance = env.instance;
  outDir = path.join(env.home, "out");
  instance.addDynamicPartitions(letters, ["a", "b", "c"]);
  sourceText = { a: "A", b: "B", c: "C" };
  templateOf = { a: "t1", b: "t2", c: "t1" };
});
afterEach(() => env.cleanup());

/** table (unpartitioned) -> source[k] -> derived[k] -> final[k], all stored as JSON files. */
function definitions(opts: { derivedVersion?: string; tableVersioned?: boolean } = {}): Definitions {
  return defineDefinitions({
    ioManagers: { json: jsonIOManager({ dir: outDir }) },
    assets: [
      asset({ key: "table", io: "json", compute: () => ({ rows: Object.keys(sourceText).length }) }),
      asset({
        key: "source",
        io: "json",
        partitions: letters,
        ins: { table: { versioned: opts.tableVersioned ?? true } },
        compute: (ctx) => sourceText[ctx.partitionKey!],
      }),
      asset({
        key: "derived",
        io: "json",
        partitions: letters,
        ins: { source: {} },
        codeVersion: opts.derivedVersion ?? "1",
        partitionCodeVersions: () => (key) => templateOf[key],
        compute: (_ctx, inputs) => `${inputs.source as string}!`,
      }),
      asset({
        key: "final",
        io: "json",
        partitions: letters,
        ins: { derived: {} },
        compute: (_ctx, inputs) => (inputs.derived as string).toLowerCase(),
      }),
    ],
  });
}

async function staleKeys(defs: Definitions, key: string): Promise<Record<string, string[]>> {
  const inspector = new AssetInspector(defs, instance.storage, cache);
  try {
    const stale = await inspector.staleOf(key);
    return Object.fromEntries([...stale].map(([k, causes]) => [k, causes.map((c) => c.kind)]));
  } finally {
    await inspector.dispose();
  }
}

/** Everything materialized, then the templates of a and c edited: those derived partitions go stale. */
async function withTemplatesOfAandCEdited(): Promise<Definitions> {
  await runAll(definitions(), "all");
  templateOf.a = "t1-edited";
  templateOf.c = "t1-edited";
  const defs = definitions();
  expect(await staleKeys(defs, "derived")).toEqual({ a: ["code"], c: ["code"] });
  return defs;
}

async function runAll(defs: Definitions, partitions: "all" | "stale" | "missing" | "missing-or-stale") {
  return materialize(defs, { instance, selection: "*", partitions });
}

// Every case runs twice: fresh reads per inspection, and reads kept between inspections
// (a stale answer from the cache fails the same assertions).
for (const cached of [false, true]) {
  describe(cached ? "with reads kept between inspections" : "with fresh reads", () => {
    beforeEach(() => {
      cache = cached ? new InspectionCache() : undefined;
    });

    describe("staleness", () => {
      it("nothing is stale right after materializing, and a second --stale run does nothing", async () => {
        const defs = definitions();
        await runAll(defs, "all");
        for (const key of ["table", "source", "derived", "final"])
          expect(await staleKeys(defs, key)).toEqual({});
        const again = await runAll(defs, "stale");
        expect(again.totalSteps).toBe(0);
      });

      it("a partition code version change makes exactly those partitions and their downstream stale", async () => {
        const defs = await withTemplatesOfAandCEdited();
        expect(await staleKeys(defs, "final")).toEqual({ a: ["upstream"], c: ["upstream"] });
        expect(await staleKeys(defs, "source")).toEqual({});
        const run = await runAll(defs, "stale");
        expect(run.totalSteps).toBe(4);
        expect(run.succeeded).toBe(4);
        expect(await staleKeys(defs, "final")).toEqual({});
        expect((await runAll(defs, "stale")).totalSteps).toBe(0);
      });

      it("a partition materialized again runs with the code version of then, whatever it was before", async () => {
        await runAll(definitions(), "all");
        expect(await staleKeys(definitions(), "derived")).toEqual({});
        templateOf.a = "t1-edited";
        const edited = definitions();
        expect(await staleKeys(edited, "derived")).toEqual({ a: ["code"] });
        await materialize(edited, { instance, selection: "derived", partitions: { keys: ["a"] } });
        expect(await staleKeys(edited, "derived")).toEqual({});
        // Back to the first template: a is stale against the edited one it ran with last.
        templateOf.a = "t1";
        expect(await staleKeys(definitions(), "derived")).toEqual({ a: ["code"] });
        expect(await staleKeys(definitions({ derivedVersion: "2" }), "derived")).toEqual({
          a: ["code"],
          b: ["code"],
          c: ["code"],
        });
      });

      it("a wiped state is no longer stale, and new upstream data after it is seen", async () => {
        const defs = await withTemplatesOfAandCEdited();
        instance.storage.wipeAssetPartitionStates("derived", "a");
        expect(await staleKeys(defs, "derived")).toEqual({ c: ["code"] });
        expect(await staleKeys(defs, "final")).toEqual({ c: ["upstream"] });
        sourceText.b = "B2";
        await materialize(defs, { instance, selection: "source", partitions: { keys: ["b"] } });
        expect(await staleKeys(defs, "derived")).toEqual({ b: ["input"], c: ["code"] });
      });

      it("an asset code version change makes all its partitions stale, with the versions in the cause", async () => {
        await runAll(definitions(), "all");
        const defs = definitions({ derivedVersion: "2" });
        const inspector = new AssetInspector(defs, instance.storage, cache);
        const summary = summarizeStaleness(await inspector.staleOf("derived"), 1);
        await inspector.dispose();
        expect(summary).toEqual({
          stale: 3,
          byCause: [{ cause: "code version changed", count: 3 }],
          sample: [{ partitionKey: "a", causes: ["code version 1+t1 -> 2+t1"] }],
        });
      });

      it("new upstream data makes the readers of that partition stale; equal data does not", async () => {
        const defs = definitions();
        await runAll(defs, "all");
        sourceText.b = "B2";
        await materialize(defs, { instance, selection: "source", partitions: { keys: ["a", "b"] } });
        expect(await staleKeys(defs, "derived")).toEqual({ b: ["input"] });
        expect(await staleKeys(defs, "final")).toEqual({ b: ["upstream"] });
        const run = await materialize(defs, { instance, selection: "derived,final", partitions: "stale" });
        expect(run.totalSteps).toBe(2);
        expect(JSON.parse(fs.readFileSync(path.join(outDir, "final", "b.json"), "utf8"))).toBe("b2!");
      });

      it("a changed unversioned input leaves its readers current; a versioned one makes them stale", async () => {
        const unversioned = definitions({ tableVersioned: false });
        await runAll(unversioned, "all");
        sourceText.d = "D";
        await materialize(unversioned, { instance, selection: "table" });
        expect(await staleKeys(unversioned, "source")).toEqual({});
        const versioned = definitions();
        await runAll(versioned, "all");
        sourceText.e = "E";
        await materialize(versioned, { instance, selection: "table" });
        expect(await staleKeys(versioned, "source")).toEqual({ a: ["input"], b: ["input"], c: ["input"] });
      });
    });

    describe("the store is the truth, both ways", () => {
      it("a deleted output counts as missing, is planned again once, and its record is replaced", async () => {
        const defs = definitions();
        await runAll(defs, "all");
        fs.rmSync(path.join(outDir, "derived", "b.json"));
        expect(await missingPartitionKeys(defs, instance, "derived")).toEqual(["b"]);
        const inspector = new AssetInspector(defs, instance.storage, cache);
        const statuses = await inspector.statusesOf("derived");
        await inspector.dispose();
        expect(statuses.counts()).toEqual({ registered: 3, materialized: 2, failed: 0, missing: 1 });
        expect(statuses.gone).toEqual(["b"]);
        const run = await materialize(defs, { instance, selection: "derived", partitions: "missing" });
        expect(run.totalSteps).toBe(1);
        expect(run.succeeded).toBe(1);
        expect(fs.existsSync(path.join(outDir, "derived", "b.json"))).toBe(true);
        expect(
          (await materialize(defs, { instance, selection: "derived", partitions: "missing" })).totalSteps,
        ).toBe(0);
      });

      it("an output present without a record counts as materialized", async () => {
        const defs = definitions();
        fs.mkdirSync(path.join(outDir, "source"), { recursive: true });
        fs.writeFileSync(path.join(outDir, "source", "c.json"), '"C"');
        expect(await missingPartitionKeys(defs, instance, "source")).toEqual(["a", "b"]);
      });

      it("--missing --stale runs both the missing and the stale partitions", async () => {
        await runAll(definitions(), "all");
        fs.rmSync(path.join(outDir, "derived", "a.json"));
        templateOf.b = "t9";
        const run = await materialize(definitions(), {
          instance,
          selection: "derived",
          partitions: "missing-or-stale",
        });
        expect(run.totalSteps).toBe(2);
      });
    });
  });
}

describe("a missing run and the missing upstream it reads", () => {
  it("plans the unselected upstream partitions whose output is gone, and only those", async () => {
    const defs = definitions();
    await runAll(defs, "all");
    fs.rmSync(path.join(outDir, "derived", "b.json"));
    fs.rmSync(path.join(outDir, "final", "b.json"));
    fs.rmSync(path.join(outDir, "final", "c.json"));
    const run = await materialize(defs, { instance, selection: "final", partitions: "missing" });
    // final[b], final[c], and derived[b] which final[b] reads
    expect(run).toMatchObject({ status: "succeeded", totalSteps: 3, succeeded: 3 });
    expect(JSON.parse(fs.readFileSync(path.join(outDir, "final", "b.json"), "utf8"))).toBe("b!");
    expect(
      (await materialize(defs, { instance, selection: "final", partitions: "missing" })).totalSteps,
    ).toBe(0);
  });
});

describe("reads kept between inspections", () => {
  /** Inspects `final` (statuses and staleness) through a storage that logs the calls named. */
  function countingInspections(defs: Definitions, counted: readonly string[]) {
    const calls: string[] = [];
    const storage = new Proxy(instance.storage, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (counted.includes(String(prop))) calls.push(String(prop));
          return value.apply(target, args);
        };
      },
    });
    const shared = new InspectionCache();
    /** Statuses and staleness of the asset, as one inspection (a UI request) sees them. */
    const inspectWith = async (via: Storage, cached: InspectionCache | undefined, assetKey: string) => {
      const inspector = new AssetInspector(defs, via, cached);
      try {
        const statuses = await inspector.statusesOf(assetKey);
        const stale = await inspector.staleOf(assetKey);
        return { counts: statuses.counts(), stale: Object.fromEntries(stale) };
      } finally {
        await inspector.dispose();
      }
    };
    const inspect = (assetKey: string) => inspectWith(storage, shared, assetKey);
    const fresh = (assetKey: string) => inspectWith(instance.storage, undefined, assetKey);
    return { calls, inspect, fresh };
  }

  it("updates what it kept with the states recorded since, and reads all again after a wipe", async () => {
    const defs = definitions();
    await runAll(defs, "all");
    const whole = ["listInputMismatches", "listRecordedCodeVersions", "materializedPartitionKeys"];
    const { calls, inspect, fresh } = countingInspections(defs, [
      ...whole,
      "assetStateChanges",
      "listInputMismatchesIn",
      "getDynamicPartitions",
    ]);
    for (const key of ["derived", "final"]) expect(await inspect(key)).toEqual(await fresh(key));
    calls.length = 0;
    // New data for source[b]: derived[b] reads it, so it alone is compared again.
    sourceText.b = "B2";
    await materialize(defs, { instance, selection: "source", partitions: { keys: ["b"] } });
    const derived = await inspect("derived");
    expect(derived).toEqual(await fresh("derived"));
    expect(derived.stale).toEqual({ b: [{ kind: "input", asset: "source", partition: "b" }] });
    expect(calls.filter((c) => whole.includes(c))).toEqual([]);
    expect(calls).toContain("listInputMismatchesIn");
    expect(calls).not.toContain("getDynamicPartitions");
    // derived[b] computed again: current, and its own kept states follow.
    await materialize(defs, { instance, selection: "derived", partitions: { keys: ["b"] } });
    calls.length = 0;
    expect(await inspect("derived")).toEqual(await fresh("derived"));
    expect((await inspect("derived")).stale).toEqual({});
    expect(calls.filter((c) => whole.includes(c))).toEqual([]);
    // A wipe cannot be told as changes: everything about derived is read again.
    instance.storage.wipeAssetPartitionStates("derived", "c");
    calls.length = 0;
    const wiped = await inspect("derived");
    expect(wiped).toEqual(await fresh("derived"));
    expect(calls).toEqual(expect.arrayContaining(["materializedPartitionKeys", "listRecordedCodeVersions"]));
  });

  it("keeps registered keys until one is added or removed", async () => {
    const defs = definitions();
    await runAll(defs, "all");
    const { calls, inspect } = countingInspections(defs, ["getDynamicPartitions"]);
    const registered = async () => (await inspect("source")).counts.registered;
    expect(await registered()).toBe(3);
    expect(await registered()).toBe(3);
    expect(calls).toEqual(["getDynamicPartitions"]);
    instance.addDynamicPartitions(letters, ["d", "a"]);
    expect(await inspect("source")).toMatchObject({ counts: { registered: 4, materialized: 3, missing: 1 } });
    instance.deleteDynamicPartitions(letters, ["d"]);
    instance.addDynamicPartitions(letters, ["e"]);
    expect(await registered()).toBe(4);
    instance.deleteDynamicPartitions(letters, ["e"]);
    expect(await registered()).toBe(3);
    // Adding keys already there changes nothing: nothing is read again.
    instance.addDynamicPartitions(letters, ["a"]);
    expect(await registered()).toBe(3);
    expect(calls.length).toBe(4);
  });

  it("reads the instance again only after the states they came from changed", async () => {
    const defs = definitions();
    await runAll(defs, "all");
    const { calls, inspect } = countingInspections(defs, [
      "listInputMismatches",
      "listRecordedCodeVersions",
      "materializedPartitionKeys",
    ]);
    expect((await inspect("final")).stale).toEqual({});
    const firstReads = calls.length;
    expect(firstReads).toBeGreaterThan(0);
    expect((await inspect("final")).stale).toEqual({});
    expect(calls.length).toBe(firstReads);
    sourceText.b = "B2";
    await materialize(defs, { instance, selection: "source", partitions: { keys: ["b"] } });
    // derived[b] is stale now: final's comparison lists other stale upstream, so it is read again.
    expect(Object.keys((await inspect("final")).stale)).toEqual(["b"]);
    expect(calls.length).toBeGreaterThan(firstReads);
  });
});
