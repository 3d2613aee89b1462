import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asset } from "../definitions/asset.ts";
import { defineDefinitions } from "../definitions/define.ts";
import { dynamicPartitions } from "../definitions/partitions.ts";
import type { DefinitionsSpec, ResourceFactory } from "../definitions/types.ts";
import type { Instance } from "../instance/types.ts";
import { RunConfigError } from "./config.ts";
import { materialize } from "./materialize.ts";
import { tempInstance } from "./test-support.ts";

const items = dynamicPartitions("items");

let env: ReturnType<typeof tempInstance>;
let instance: Instance;
beforeEach(() => {
  env = tempInstance("core-config-");
  instance = env.instance;
});
afterEach(() => env.cleanup());

describe("run config and resources", () => {
  const schema = {
    parse(input: unknown) {
      const n = (input as { n?: unknown }).n ?? 1;
      if (typeof n !== "number")
        throw Object.assign(new Error("bad"), { issues: [{ path: ["n"], message: "expected number" }] });
      return { n };
    },
  };

  it("parses each asset's run config with its configSchema", async () => {
    const seen: unknown[] = [];
    const defs = defineDefinitions({
      assets: [asset({ key: "conf", configSchema: schema, compute: (ctx) => seen.push(ctx.config) })],
    });
    await materialize(defs, { instance, selection: "conf", runConfig: { assets: { conf: { n: 5 } } } });
    await materialize(defs, { instance, selection: "conf" });
    expect(seen).toEqual([{ n: 5 }, { n: 1 }]);
  });

  it("rejects invalid config as a user error naming the asset, before any run starts", async () => {
    const defs = defineDefinitions({
      assets: [asset({ key: "conf", configSchema: schema, compute: () => 1 })],
    });
    const err = await materialize(defs, {
      instance,
      selection: "conf",
      runConfig: { assets: { conf: { n: "x" } } },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunConfigError);
    expect((err as RunConfigError).message).toBe("config of asset conf is invalid: n: expected number");
    expect((err as RunConfigError).userError).toBe(true);
    await expect(
      materialize(defs, { instance, selection: "conf", runConfig: { assets: { cnof: {} } } }),
    ).rejects.toThrow(/unknown asset "cnof"/);
    expect(instance.storage.listRuns()).toEqual([]);
  });

  it("creates a resource factory once per run, passes it to the assets that declare it, then disposes it", async () => {
    const log: string[] = [];
    const client: ResourceFactory<{ id: number }> = {
      kind: "resource-factory",
      create: () => {
        log.push("create");
        return { id: log.length };
      },
      dispose: () => {
        log.push("dispose");
      },
    };
    instance.addDynamicPartitions(items, ["a", "b", "c"]);
    const seen: Array<Record<string, unknown>> = [];
    const assets: DefinitionsSpec["assets"] = [
      asset({
        key: "uses",
        partitions: items,
        resources: ["client"],
        compute: (ctx) => seen.push(ctx.resources),
      }),
      asset({ key: "plain", resources: ["label"], compute: (ctx) => seen.push(ctx.resources) }),
    ];
    const defs = defineDefinitions({ assets, resources: { client, label: "L" } });
    await materialize(defs, { instance, selection: "*", partitions: "all" });
    expect(log).toEqual(["create", "dispose"]);
    expect(seen).toContainEqual({ label: "L" });
    expect(seen.filter((r) => "client" in r).map((r) => r.client)).toEqual([{ id: 1 }, { id: 1 }, { id: 1 }]);
  });
});
