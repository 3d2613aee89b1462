import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asset } from "../definitions/asset.ts";
import { defineDefinitions } from "../definitions/define.ts";
import { dynamicPartitions } from "../definitions/partitions.ts";
import type { Definitions, DefinitionsSpec } from "../definitions/types.ts";
import { PartitionError } from "../errors.ts";
import { AssetGraph } from "../graph/asset-graph.ts";
import type { Instance } from "../instance/types.ts";
import { partitionTargets } from "./partitions.ts";
import { buildPlan, type Plan, stepLabel } from "./plan.ts";
import { recordMaterialized, tempInstance } from "./test-support.ts";
import type { PartitionsSelector } from "./types.ts";

const letters = dynamicPartitions("letters");
const numbers = dynamicPartitions("numbers");
const noop = () => null;

let env: ReturnType<typeof tempInstance>;
let instance: Instance;
beforeEach(() => {
  env = tempInstance("core-plan-");
  instance = env.instance;
  instance.addDynamicPartitions(letters, ["a", "b", "c"]);
  instance.addDynamicPartitions(numbers, ["1", "2"]);
});
afterEach(() => env.cleanup());

async function plan(defs: Definitions, keys: string[], selector?: PartitionsSelector): Promise<Plan> {
  const graph = AssetGraph.of(defs);
  const assets = keys.map((k) => graph.get(k));
  const targets = await partitionTargets({
    assets,
    selector,
    storage: instance.storage,
    defs,
    resourcesFor: () => ({}),
  });
  return buildPlan(graph, keys, targets);
}

/** Each step as `label <- upstream labels` (barriers shown as `|asset|`). */
function describePlan(p: Plan): string[] {
  const label = (i: number): string =>
    i < p.steps.length ? stepLabel(p.steps[i]) : `|${p.barriers[i - p.steps.length]}|`;
  return p.upstream.map((ups, i) => `${label(i)} <- ${ups.map(label).join(",")}`);
}

function defsOf(...assets: DefinitionsSpec["assets"]): Definitions {
  return defineDefinitions({ assets });
}

describe("buildPlan", () => {
  it("maps partition to partition between assets sharing a partitions definition", async () => {
    const defs = defsOf(
      asset({ key: "draft", partitions: letters, compute: noop }),
      asset({ key: "essay", partitions: letters, ins: { draft: {} }, compute: noop }),
    );
    expect(describePlan(await plan(defs, ["draft", "essay"], { keys: ["a", "c"] }))).toEqual([
      "draft[a] <- ",
      "draft[c] <- ",
      "essay[a] <- draft[a]",
      "essay[c] <- draft[c]",
    ]);
  });

  it("makes every partition wait for an unpartitioned upstream in the run", async () => {
    const defs = defsOf(
      asset({ key: "table", compute: noop }),
      asset({ key: "row", partitions: letters, ins: { table: {} }, compute: noop }),
    );
    expect(describePlan(await plan(defs, ["table", "row"], "all"))).toEqual([
      "table <- ",
      "row[a] <- table",
      "row[b] <- table",
      "row[c] <- table",
    ]);
  });

  it("joins different partitions definitions through one barrier node (N + M edges)", async () => {
    const defs = defsOf(
      asset({ key: "by_letter", partitions: letters, compute: noop }),
      asset({ key: "by_number", partitions: numbers, deps: ["by_letter"], compute: noop }),
      asset({ key: "summary", deps: ["by_letter"], compute: noop }),
    );
    expect(describePlan(await plan(defs, ["by_letter", "by_number", "summary"], "all"))).toEqual([
      "by_letter[a] <- ",
      "by_letter[b] <- ",
      "by_letter[c] <- ",
      "by_number[1] <- |by_letter|",
      "by_number[2] <- |by_letter|",
      "summary <- |by_letter|",
      "|by_letter| <- by_letter[a],by_letter[b],by_letter[c]",
    ]);
  });

  it("leaves out edges to upstream assets that are not in the run", async () => {
    const defs = defsOf(
      asset({ key: "table", compute: noop }),
      asset({ key: "row", partitions: letters, ins: { table: {} }, compute: noop }),
    );
    expect(describePlan(await plan(defs, ["row"], { keys: ["b"] }))).toEqual(["row[b] <- "]);
  });
});

describe("partition selection", () => {
  const defs = (): Definitions =>
    defsOf(
      asset({ key: "table", compute: noop }),
      asset({ key: "row", partitions: letters, ins: { table: {} }, compute: noop }),
      asset({
        key: "checked",
        partitions: letters,
        isMaterialized: ({ partitionKey }) => partitionKey === "c",
        compute: noop,
      }),
    );

  it("runs only registered keys without a materialization in a missing run", async () => {
    recordMaterialized(instance, "row", ["a"]);
    const p = await plan(defs(), ["table", "row", "checked"], "missing");
    expect(p.steps.map(stepLabel)).toEqual(["table", "row[b]", "row[c]", "checked[a]", "checked[b]"]);
  });

  it("skips an unpartitioned asset in a missing run once it was materialized", async () => {
    recordMaterialized(instance, "table", [undefined]);
    const p = await plan(defs(), ["table"], "missing");
    expect(p.steps).toEqual([]);
  });

  it("rejects an unregistered key, naming the key, the partitions and the command to add it", async () => {
    const err = await plan(defs(), ["row"], { keys: ["a", "zz"] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartitionError);
    expect((err as PartitionError).message).toContain('"zz"');
    expect((err as PartitionError).message).toContain('dynamic partitions "letters"');
    expect((err as PartitionError).hint).toContain("assets partitions add letters zz");
  });

  it("names one unregistered key in the singular", async () => {
    const err = await plan(defs(), ["row"], { keys: ["zz"] }).catch((e: unknown) => e);
    expect((err as PartitionError).message).toMatch(/^partition key "zz" not registered in /);
    expect((err as PartitionError).hint).toBe("register it first: assets partitions add letters zz");
  });

  it("names several unregistered keys in the plural", async () => {
    const err = await plan(defs(), ["row"], { keys: ["zz", "a", "yy"] }).catch((e: unknown) => e);
    expect((err as PartitionError).message).toMatch(/^partition keys "zz", "yy" not registered in /);
    expect((err as PartitionError).hint).toMatch(
      /^register them first: assets partitions add letters zz yy /,
    );
  });

  it("lists at most five unregistered keys and counts the others", async () => {
    const keys = Array.from({ length: 8 }, (_, i) => `u${i}`);
    const err = await plan(defs(), ["row"], { keys }).catch((e: unknown) => e);
    expect((err as PartitionError).message).toMatch(
      /^partition keys "u0", "u1", "u2", "u3", "u4" and 3 more not registered in /,
    );
    expect((err as PartitionError).hint).toContain("assets partitions add letters u0 u1 u2 u3 u4 ...");
  });

  it("rejects an invalid partition key before looking it up", async () => {
    await expect(plan(defs(), ["row"], { keys: ["../x"] })).rejects.toThrow(/contains/);
  });

  it("requires a partition selection when a selected asset is partitioned", async () => {
    const err = await plan(defs(), ["table", "row"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartitionError);
    expect((err as PartitionError).message).toContain('row (partitions "letters")');
    expect((err as PartitionError).hint).toMatch(/--partition KEY.*--all-partitions or --missing/);
  });

  it("rejects partition keys when no selected asset is partitioned", async () => {
    const err = await plan(defs(), ["table"], { keys: ["a"] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartitionError);
    expect((err as PartitionError).code).toBe("NOT_PARTITIONED");
  });

  it("plans all registered keys in registration order", async () => {
    instance.addDynamicPartitions(letters, ["0"]);
    const p = await plan(defs(), ["row"], "all");
    expect(p.steps.map((s) => s.partitionKey)).toEqual(["a", "b", "c", "0"]);
  });
});
