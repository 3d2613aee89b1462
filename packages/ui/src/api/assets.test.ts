import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, launchAndWait, startHarness } from "../testing/harness.ts";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe("asset graph API before any run", () => {
  it("answers /api/health", async () => {
    const res = await h.request("/api/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    expect(res.headers.get("server-timing")).toMatch(/^app;dur=\d/);
  });

  it("describes the project at /api/meta", async () => {
    const res = await h.request("/api/meta");
    expect(res.body).toMatchObject({ assetCount: 5, tokenRequired: false, projectRoot: h.dir });
  });

  it("lists every asset with its group, lineage and status never", async () => {
    const { body } = await h.request("/api/assets");
    expect(body.assets.map((a: { key: string }) => a.key)).toEqual([
      "settings",
      "register_items",
      "item_value",
      "item_report",
      "slow_item",
    ]);
    expect(body.groups).toEqual(["items", "setup", "slow"]);
    const value = body.assets.find((a: { key: string }) => a.key === "item_value");
    expect(value).toMatchObject({
      group: "items",
      inputs: ["settings"],
      deps: ["register_items"],
      partitions: "items",
      status: "never",
      partitionCounts: { total: 0, materialized: 0, failed: 0, missing: 0 },
    });
    expect(body.selected).toBeNull();
  });

  it("resolves a selection with the CLI syntax", async () => {
    const { body } = await h.request(`/api/assets?select=${encodeURIComponent("+item_report")}`);
    expect(body.selected).toEqual(["item_value", "item_report"]);
    const sel = await h.request(`/api/selection?select=${encodeURIComponent("group:setup")}`);
    expect(sel.body.keys).toEqual(["settings", "register_items"]);
  });

  it("rejects an unknown asset in a selection with a 400 naming close keys", async () => {
    const res = await h.request("/api/assets?select=item_valu");
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("item_valu");
    expect(JSON.stringify(res.body.error)).toContain("item_value");
  });

  it("answers 404 for an unknown asset and 400 for partitions of an unpartitioned one", async () => {
    expect((await h.request("/api/assets/nope")).status).toBe(404);
    const res = await h.request("/api/assets/settings/partitions");
    expect(res.status).toBe(400);
    expect(res.body.error.hint).toContain("/api/assets/settings");
  });
});

describe("asset API after runs", () => {
  beforeAll(async () => {
    await launchAndWait(h, { selection: "settings,register_items" });
    await launchAndWait(h, {
      selection: "item_value",
      partitions: { mode: "keys", keys: ["apple", "broken"] },
    });
  });

  it("shows materialized, failed and missing partition counts and a failed status", async () => {
    const { body } = await h.request("/api/assets");
    const value = body.assets.find((a: { key: string }) => a.key === "item_value");
    expect(value.partitionCounts).toEqual({ total: 4, materialized: 1, failed: 1, missing: 2 });
    expect(value.status).toBe("failed");
    const settings = body.assets.find((a: { key: string }) => a.key === "settings");
    expect(settings.status).toBe("materialized");
    expect(settings.latest.status).toBe("materialized");
  });

  it("returns an unpartitioned asset's latest metadata and its run history", async () => {
    const { body } = await h.request("/api/assets/register_items");
    expect(body.latest).toMatchObject({ status: "materialized", metadata: { added: 4 } });
    expect(body.downstream).toEqual(["item_value"]);
    expect(body.history).toHaveLength(1);
    expect(body.history[0].outcome).toMatchObject({ materialized: 1, failed: 0, lastMetadata: { added: 4 } });
  });

  it("pages partitions in registration order with their latest state", async () => {
    const first = await h.request("/api/assets/item_value/partitions?limit=2");
    expect(first.body.total).toBe(4);
    expect(first.body.items.map((p: { partitionKey: string }) => p.partitionKey)).toEqual([
      "apple",
      "banana",
    ]);
    expect(first.body.items[0]).toMatchObject({ status: "materialized", error: null });
    expect(first.body.items[1]).toMatchObject({ status: "missing", runId: null });
    const second = await h.request("/api/assets/item_value/partitions?limit=2&offset=2");
    expect(second.body.items.map((p: { partitionKey: string }) => p.partitionKey)).toEqual([
      "cherry",
      "broken",
    ]);
  });

  it("filters partitions by status and key substring", async () => {
    const failed = await h.request("/api/assets/item_value/partitions?status=failed");
    expect(failed.body.total).toBe(1);
    expect(failed.body.items[0]).toMatchObject({ partitionKey: "broken", status: "failed" });
    expect(failed.body.items[0].error).toContain("no price list");
    const missing = await h.request("/api/assets/item_value/partitions?status=missing");
    expect(missing.body.items.map((p: { partitionKey: string }) => p.partitionKey)).toEqual([
      "banana",
      "cherry",
    ]);
    const search = await h.request("/api/assets/item_value/partitions?q=AN");
    expect(search.body.items.map((p: { partitionKey: string }) => p.partitionKey)).toEqual(["banana"]);
  });

  it("rejects bad paging parameters", async () => {
    expect((await h.request("/api/assets/item_value/partitions?limit=0")).status).toBe(400);
    expect((await h.request("/api/assets/item_value/partitions?offset=x")).status).toBe(400);
    expect((await h.request("/api/assets/item_value/partitions?status=done")).status).toBe(400);
  });

  it("returns one partition's state, and 404 for an unregistered key", async () => {
    const one = await h.request("/api/assets/item_value/partitions/broken");
    expect(one.body).toMatchObject({ status: "failed", partitionKey: "broken" });
    expect((await h.request("/api/assets/item_value/partitions/durian")).status).toBe(404);
  });

  it("lists dynamic partitions definitions with counts", async () => {
    const { body } = await h.request("/api/partitions");
    expect(body.definitions).toEqual([{ name: "items", count: 4 }]);
  });
});

describe("static files", () => {
  it("serves the front end and elkjs from node_modules", async () => {
    const index = await h.request("/");
    expect(index.status).toBe(200);
    expect(index.text).toContain('<script type="module" src="/app.js">');
    const elk = await h.request("/vendor/elk.bundled.js");
    expect(elk.status).toBe(200);
    expect(elk.headers.get("content-type")).toContain("javascript");
    expect((await h.request("/pages/graph.js")).status).toBe(200);
  });

  it("never serves files outside public/", async () => {
    expect((await h.request("/..%2Fpackage.json")).status).toBe(404);
    expect((await h.request("/.hidden")).status).toBe(404);
    expect((await h.request("/api/nope")).status).toBe(404);
  });
});
