import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type AssetCheckDefinition,
  asset,
  assetCheck,
  checkAssets,
  defineDefinitions,
  dynamicPartitions,
  type Instance,
  materialize,
} from "../../index.ts";
import { tempInstance } from "../test-support.ts";

const items = dynamicPartitions("items");

let env: ReturnType<typeof tempInstance>;
let instance: Instance;
beforeEach(() => {
  env = tempInstance("core-checks-");
  instance = env.instance;
  instance.addDynamicPartitions(items, ["good", "odd", "bad"]);
});
afterEach(() => env.cleanup());

/** source[k] is k's text; copy[k] reads it. Checks judge source's value. */
function pipeline(checks: AssetCheckDefinition[], computed: string[] = []) {
  return defineDefinitions({
    assets: [
      asset({ key: "source", partitions: items, compute: (ctx) => `text of ${ctx.partitionKey}` }),
      asset({
        key: "copy",
        partitions: items,
        ins: { source: {} },
        compute: (ctx, { source }) => {
          computed.push(ctx.partitionKey!);
          return source;
        },
      }),
    ],
    checks,
  });
}

const notBad = (blocking: boolean) =>
  assetCheck({
    name: "not_bad",
    asset: "source",
    blocking,
    check: async (ctx) => {
      const value = (await ctx.loadValue()) as string;
      return {
        passed: !value.endsWith("bad"),
        description: `value ${value}`,
        metadata: { chars: value.length },
      };
    },
  });

const notOdd = assetCheck({
  name: "not_odd",
  asset: "source",
  severity: "warn",
  blocking: true,
  check: (ctx) => ({ passed: ctx.partitionKey !== "odd" }),
});

describe("asset checks after materialization", () => {
  it("records passes and warnings, and runs downstream of a warned partition", async () => {
    const computed: string[] = [];
    const summary = await materialize(pipeline([notOdd], computed), {
      instance,
      selection: "source,copy",
      partitions: "all",
    });
    expect(summary.status).toBe("succeeded");
    expect(summary.checks).toMatchObject({ passed: 2, warned: 1, failed: 0 });
    expect(summary.checks.failures).toEqual([
      {
        assetKey: "source",
        partitionKey: "odd",
        checkName: "not_odd",
        severity: "warn",
        blocking: true,
        description: null,
      },
    ]);
    expect(computed.sort()).toEqual(["bad", "good", "odd"]);
    const stored = instance.storage.listCheckResults("source");
    expect(stored.map((r) => [r.partitionKey, r.passed, r.severity])).toEqual([
      ["bad", true, "warn"],
      ["good", true, "warn"],
      ["odd", false, "warn"],
    ]);
    expect(stored[0].runId).toBe(summary.runId);
  });

  it("a failed blocking error check stops the downstream steps of that partition only", async () => {
    const computed: string[] = [];
    const defs = pipeline([notBad(true)], computed);
    const summary = await materialize(defs, { instance, selection: "source,copy", partitions: "all" });
    expect(computed.sort()).toEqual(["good", "odd"]);
    expect(summary).toMatchObject({ succeeded: 5, skipped: 1, failed: 0 });
    expect(summary.checks).toMatchObject({ passed: 2, failed: 1 });
    expect(instance.storage.getAssetPartitionState("copy", "bad")).toBeUndefined();
    expect(instance.storage.getAssetPartitionState("source", "bad")?.status).toBe("materialized");
    const [result] = instance.storage.listCheckResults("source", { outcome: "failed" });
    expect(result).toMatchObject({
      partitionKey: "bad",
      blocking: true,
      severity: "error",
      description: "value text of bad",
      metadata: { chars: 11 },
    });

    // A later run of the downstream alone is held back too, until the partition passes again.
    const later = await materialize(defs, {
      instance,
      selection: "copy",
      partitions: { keys: ["bad", "good"] },
    });
    expect(later).toMatchObject({ succeeded: 1, skipped: 1 });
    expect(computed.filter((k) => k === "bad")).toEqual([]);
  });

  it("a partition that passes again in this run lets its downstream run in the same run", async () => {
    const computed: string[] = [];
    let strict = true;
    const toggled = assetCheck({
      name: "not_bad",
      asset: "source",
      blocking: true,
      check: (ctx) => ({ passed: !(strict && ctx.partitionKey === "bad") }),
    });
    const defs = pipeline([toggled], computed);
    await materialize(defs, { instance, selection: "source", partitions: { keys: ["bad"] } });
    expect(instance.storage.listCheckResults("source", { outcome: "failed" })).toHaveLength(1);
    strict = false;
    // The failure stored by the first run is overridden by this run's pass, still buffered when
    // copy[bad] asks.
    const summary = await materialize(defs, {
      instance,
      selection: "source,copy",
      partitions: { keys: ["bad"] },
    });
    expect(summary).toMatchObject({ status: "succeeded", succeeded: 2, skipped: 0 });
    expect(computed).toEqual(["bad"]);
  });

  it("a run of a few steps looks up only the upstream partitions it reads; a larger run lists the failures once", async () => {
    const computed: string[] = [];
    const defs = pipeline([notBad(true)], computed);
    await materialize(defs, { instance, selection: "source", partitions: "all" });
    const reads: (string | undefined)[] = [];
    const list = instance.storage.listCheckResults.bind(instance.storage);
    instance.storage.listCheckResults = (assetKey, opts) => {
      reads.push(opts?.partitionKey);
      return list(assetKey, opts);
    };
    const one = await materialize(defs, {
      instance,
      selection: "copy",
      partitions: { keys: ["good", "bad"] },
    });
    expect(one).toMatchObject({ succeeded: 1, skipped: 1 });
    expect(reads.sort()).toEqual(["bad", "good"]);

    // Past a handful of steps, one listing serves them all, with the same verdicts.
    const more = Array.from({ length: 10 }, (_, i) => `more${i}`);
    instance.addDynamicPartitions(items, more);
    reads.length = 0;
    const big = await materialize(defs, { instance, selection: "source,copy", partitions: "all" });
    expect(big).toMatchObject({ succeeded: 25, skipped: 1 });
    expect(reads).toEqual([undefined]);
    expect(computed.filter((k) => k === "bad")).toEqual([]);
  });

  it("a failed non-blocking error check lets downstream run", async () => {
    const computed: string[] = [];
    const summary = await materialize(pipeline([notBad(false)], computed), {
      instance,
      selection: "source,copy",
      partitions: "all",
    });
    expect(summary.checks.failed).toBe(1);
    expect(computed.sort()).toEqual(["bad", "good", "odd"]);
  });

  it("a check that throws fails with its severity; checks: false evaluates none", async () => {
    const broken = assetCheck({
      name: "broken",
      asset: "source",
      check: () => {
        throw new Error("no disk");
      },
    });
    const off = await materialize(pipeline([broken]), {
      instance,
      selection: "source",
      partitions: { keys: ["good"] },
      checks: false,
    });
    expect(off.checks).toMatchObject({ passed: 0, warned: 0, failed: 0 });
    expect(instance.storage.listCheckResults("source")).toEqual([]);
    const on = await materialize(pipeline([broken]), {
      instance,
      selection: "source",
      partitions: { keys: ["good"] },
    });
    expect(on.checks.failures[0]).toMatchObject({
      severity: "error",
      description: "the check raised: no disk",
    });
  });
});

describe("checkAssets (on demand)", () => {
  it("checks the materialized partitions by default, loading values through the IO manager", async () => {
    const defs = pipeline([notBad(true), notOdd]);
    await materialize(defs, {
      instance,
      selection: "source",
      partitions: { keys: ["good", "bad"] },
      checks: false,
    });
    const summary = await checkAssets(defs, { instance });
    expect(summary.assets).toEqual(["source"]);
    expect(summary).toMatchObject({ passed: 3, warned: 0, failed: 1 });
    expect(instance.storage.summarizeCheckResults("source")).toMatchObject([
      { checkName: "not_bad", passed: 1, failed: 1, blocking: 1 },
      { checkName: "not_odd", passed: 2, warned: 0 },
    ]);
  });

  it("refuses a selection without checks", async () => {
    await expect(checkAssets(pipeline([notOdd]), { instance, selection: "copy" })).rejects.toMatchObject({
      code: "NO_CHECKS",
    });
  });
});
