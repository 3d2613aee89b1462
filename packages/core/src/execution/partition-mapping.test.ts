import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  asset,
  defineDefinitions,
  dynamicPartitions,
  type Instance,
  materialize,
  partitionLineage,
  partitionMapping,
} from "../index.ts";
import { tempInstance } from "./test-support.ts";

const drafts = dynamicPartitions("drafts");
const essays = dynamicPartitions("essays");
const PARENT: Record<string, string> = { e1: "d1", e2: "d1", e3: "d2" };

let env: ReturnType<typeof tempInstance>;
let instance: Instance;
beforeEach(() => {
  env = tempInstance("core-mapping-");
  instance = env.instance;
  instance.addDynamicPartitions(drafts, ["d1", "d2"]);
  instance.addDynamicPartitions(essays, ["e1", "e2", "e3"]);
});
afterEach(() => env.cleanup());

function pipeline(computed: string[], opts: { failDraft?: string; loads?: number[] } = {}) {
  return defineDefinitions({
    assets: [
      asset({
        key: "draft",
        partitions: drafts,
        compute: (ctx) => {
          computed.push(`draft[${ctx.partitionKey}]`);
          if (ctx.partitionKey === opts.failDraft) throw new Error("bad draft");
          return ctx.partitionKey;
        },
      }),
      asset({
        key: "essay",
        partitions: essays,
        deps: ["draft"],
        partitionMappings: {
          draft: partitionMapping(() => {
            opts.loads?.push(1);
            return (essay) => (PARENT[essay] === undefined ? undefined : [PARENT[essay]]);
          }),
        },
        compute: (ctx) => {
          computed.push(`essay[${ctx.partitionKey}]`);
          return ctx.partitionKey;
        },
      }),
    ],
  });
}

describe("partition mappings", () => {
  it("+essay --partition e3 runs only the draft it maps to, then the essay", async () => {
    const computed: string[] = [];
    const loads: number[] = [];
    const summary = await materialize(pipeline(computed, { loads }), {
      instance,
      selection: "+essay",
      partitions: { keys: ["e3"] },
    });
    expect(summary.status).toBe("succeeded");
    expect(computed).toEqual(["draft[d2]", "essay[e3]"]);
    // Loaded once for deriving the targets and building the plan.
    expect(loads).toEqual([1]);
  });

  it("a failed draft stops only the essays mapped to it", async () => {
    const computed: string[] = [];
    const summary = await materialize(pipeline(computed, { failDraft: "d1" }), {
      instance,
      selection: "draft,essay",
      partitions: "missing",
    });
    expect(summary).toMatchObject({ failed: 1, skipped: 2, succeeded: 2 });
    expect(computed.filter((c) => c.startsWith("essay"))).toEqual(["essay[e3]"]);
  });

  it("refuses a mapping for a dep partitioned like the asset", () => {
    expect(() =>
      defineDefinitions({
        assets: [
          asset({ key: "a", partitions: drafts, compute: () => 1 }),
          asset({
            key: "b",
            partitions: drafts,
            deps: ["a"],
            partitionMappings: { a: partitionMapping(() => (k) => [k]) },
            compute: () => 2,
          }),
        ],
      }),
    ).toThrow(/partition mapping for "a" is not needed/);
  });

  it("names the key a mapping cannot tell about", async () => {
    instance.addDynamicPartitions(essays, ["orphan"]);
    await expect(
      materialize(pipeline([]), { instance, selection: "+essay", partitions: { keys: ["orphan"] } }),
    ).rejects.toMatchObject({ code: "PARTITION_MAPPING_UNKNOWN", context: { partition: "orphan" } });
  });
});

describe("partitionLineage", () => {
  it("lists the chain of a key: its ancestors, itself, its descendants, with statuses", async () => {
    const describeDraft = (key: string) => ({ template: `t-${key}` });
    const described = dynamicPartitions("drafts", { describe: () => describeDraft });
    const defs = defineDefinitions({
      assets: [
        asset({ key: "draft", partitions: described, compute: (ctx) => ctx.partitionKey }),
        asset({
          key: "essay",
          partitions: essays,
          deps: ["draft"],
          partitionMappings: { draft: partitionMapping(() => (essay) => [PARENT[essay]]) },
          compute: (ctx) => ctx.partitionKey,
        }),
      ],
    });
    await materialize(defs, { instance, selection: "draft", partitions: { keys: ["d1"] } });
    const fromDraft = await partitionLineage(defs, instance.storage, "d1");
    expect(fromDraft.nodes.map((n) => [n.role, n.partitions, n.partitionKey])).toEqual([
      ["self", "drafts", "d1"],
      ["descendant", "essays", "e1"],
      ["descendant", "essays", "e2"],
    ]);
    expect(fromDraft.nodes[0]).toMatchObject({
      description: { template: "t-d1" },
      assets: [{ assetKey: "draft", status: "materialized" }],
    });
    const fromEssay = await partitionLineage(defs, instance.storage, "e3");
    expect(fromEssay.nodes.map((n) => [n.role, n.partitionKey, n.assets[0].status])).toEqual([
      ["ancestor", "d2", "missing"],
      ["self", "e3", "missing"],
    ]);
    expect(fromEssay.nodes[1].parents).toEqual([{ partitions: "drafts", partitionKey: "d2" }]);
    await expect(partitionLineage(defs, instance.storage, "nope")).rejects.toMatchObject({
      code: "UNKNOWN_PARTITION",
    });
  });
});
