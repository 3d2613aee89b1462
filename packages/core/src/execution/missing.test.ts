import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asset } from "../definitions/asset.ts";
import { defineDefinitions } from "../definitions/define.ts";
import { dynamicPartitions } from "../definitions/partitions.ts";
import type { AssetSpec, ResourceFactory } from "../definitions/types.ts";
import { AssetsError, PartitionError, SelectionError } from "../errors.ts";
import type { Instance } from "../instance/types.ts";
import { materialize } from "./materialize.ts";
import { missingPartitionKeys } from "./missing.ts";
import { recordMaterialized, tempInstance } from "./test-support.ts";

const letters = dynamicPartitions("letters");

let env: ReturnType<typeof tempInstance>;
let instance: Instance;
beforeEach(() => {
  env = tempInstance("core-missing-");
  instance = env.instance;
  instance.addDynamicPartitions(letters, ["a", "b", "c", "d", "e"]);
});
afterEach(() => env.cleanup());

const onDisk = new Set(["c", "d"]);
const checked = (spec: Partial<AssetSpec> = {}) =>
  asset({
    key: "checked",
    partitions: letters,
    isMaterialized: ({ partitionKey }) => onDisk.has(partitionKey!),
    compute: (ctx) => {
      if (ctx.partitionKey === "e") throw new Error("bad letter");
      return ctx.partitionKey;
    },
    ...spec,
  });

describe("missingPartitionKeys", () => {
  it("gives the keys a missing run would run: no recorded success, not materialized per the hook", async () => {
    const defs = defineDefinitions({ assets: [checked()] });
    recordMaterialized(instance, "checked", ["a"]);
    await materialize(defs, { instance, selection: "checked", partitions: { keys: ["e"] } });
    // a: recorded; c, d: the hook says so; e failed last time and is run again
    expect(await missingPartitionKeys(defs, instance, "checked")).toEqual(["b", "e"]);
    const run = await materialize(defs, { instance, selection: "checked", partitions: "missing" });
    expect(run.totalSteps).toBe(2);
  });

  it("awaits hooks that answer with a promise", async () => {
    const defs = defineDefinitions({
      assets: [checked({ isMaterialized: async ({ partitionKey }) => partitionKey !== "b" })],
    });
    expect(await missingPartitionKeys(defs, instance, "checked")).toEqual(["b"]);
  });

  it("creates only the resources the hook reads, and disposes them", async () => {
    const disposed: string[] = [];
    const factory = (name: string, create: () => unknown): ResourceFactory => ({
      kind: "resource-factory",
      create,
      dispose: () => {
        disposed.push(name);
      },
    });
    const defs = defineDefinitions({
      assets: [
        checked({
          resources: ["store", "llm"],
          isMaterialized: ({ partitionKey, resources }) =>
            (resources.store as Set<string>).has(partitionKey!),
        }),
      ],
      resources: {
        store: factory("store", () => new Set(["a", "b"])),
        llm: factory("llm", () => {
          throw new AssetsError("LLM_CONFIG", "no API key", { hint: "set DD_LLM_API_KEY" });
        }),
      },
    });
    expect(await missingPartitionKeys(defs, instance, "checked")).toEqual(["c", "d", "e"]);
    expect(disposed).toEqual(["store"]);
  });

  it("reports a hook reading a resource created asynchronously", async () => {
    const defs = defineDefinitions({
      assets: [
        checked({ resources: ["store"], isMaterialized: ({ resources }) => Boolean(resources.store) }),
      ],
      resources: { store: { kind: "resource-factory", create: async () => new Set<string>() } },
    });
    const err = await missingPartitionKeys(defs, instance, "checked").catch((e: unknown) => e);
    expect((err as AssetsError).code).toBe("RESOURCE_ASYNC");
    expect((err as AssetsError).message).toContain('resource "store"');
  });

  it("rejects an unknown asset and an unpartitioned one", async () => {
    const defs = defineDefinitions({ assets: [checked(), asset({ key: "plain", compute: () => 1 })] });
    await expect(missingPartitionKeys(defs, instance, "nope")).rejects.toBeInstanceOf(SelectionError);
    await expect(missingPartitionKeys(defs, instance, "plain")).rejects.toBeInstanceOf(PartitionError);
  });
});
