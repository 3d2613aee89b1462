/** The asset page's checks: GET /api/assets/:key (and one partition) carries the latest check results. */
import { asset, assetCheck, defineDefinitions, dynamicPartitions, materialize } from "@daydream/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../testing/harness.ts";

const items = dynamicPartitions("items");

let h: Harness;
beforeAll(async () => {
  const definitions = defineDefinitions({
    assets: [asset({ key: "item", partitions: items, compute: (ctx) => ctx.partitionKey })],
    checks: [
      assetCheck({
        name: "not_bad",
        asset: "item",
        blocking: true,
        check: async (ctx) => ({ passed: (await ctx.loadValue()) !== "bad", description: "value is bad" }),
      }),
    ],
  });
  h = await startHarness({ definitions });
  h.instance.addDynamicPartitions(items, ["good", "bad"]);
  await materialize(definitions, { instance: h.instance, selection: "item", partitions: "all" });
});
afterAll(() => h.close());

describe("checks on the asset page", () => {
  it("lists declared checks, their counts and the failing partitions", async () => {
    const res = await h.request("/api/assets/item");
    expect(res.status).toBe(200);
    expect(res.body.checks.declared).toEqual([
      { name: "not_bad", severity: "error", blocking: true, description: null },
    ]);
    expect(res.body.checks.summary).toMatchObject([
      { checkName: "not_bad", passed: 1, failed: 1, blocking: 1 },
    ]);
    expect(res.body.checks.results.map((r: { partitionKey: string }) => r.partitionKey)).toEqual(["bad"]);
    const one = await h.request("/api/assets/item/partitions/good");
    expect(one.body.checks).toMatchObject([{ checkName: "not_bad", passed: true }]);
  });
});
