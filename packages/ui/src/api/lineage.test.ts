/** GET /api/lineage/:key: the chain of a partition key through partition mappings, as `assets lineage`. */
import { asset, defineDefinitions, dynamicPartitions, partitionMapping } from "@daydream/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../testing/harness.ts";

const drafts = dynamicPartitions("draft_gens", { describe: () => (key) => ({ template: `t-${key}` }) });
const essays = dynamicPartitions("essay_gens");
const PARENT: Record<string, string> = { e1: "d1", e2: "d1" };

let h: Harness;
beforeAll(async () => {
  const definitions = defineDefinitions({
    assets: [
      asset({ key: "draft_response", partitions: drafts, compute: () => "d" }),
      asset({
        key: "essay_response",
        partitions: essays,
        deps: ["draft_response"],
        partitionMappings: { draft_response: partitionMapping(() => (essay) => [PARENT[essay]]) },
        compute: () => "e",
      }),
    ],
  });
  h = await startHarness({ definitions });
  h.instance.addDynamicPartitions(drafts, ["d1"]);
  h.instance.addDynamicPartitions(essays, ["e1", "e2"]);
});
afterAll(() => h.close());

describe("GET /api/lineage/:key", () => {
  it("returns the draft, then its essays, with what describe knows", async () => {
    const res = await h.request("/api/lineage/e2");
    expect(res.status).toBe(200);
    expect(
      res.body.nodes.map((n: { role: string; partitionKey: string }) => [n.role, n.partitionKey]),
    ).toEqual([
      ["ancestor", "d1"],
      ["self", "e2"],
    ]);
    expect(res.body.nodes[0].description).toEqual({ template: "t-d1" });
    expect(res.body.nodes[1].assets[0]).toMatchObject({
      assetKey: "essay_response",
      status: "missing",
      checks: [],
    });
  });

  it("answers 400 naming the problem for a key no partitions definition has", async () => {
    const res = await h.request("/api/lineage/nope");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("UNKNOWN_PARTITION");
  });
});
