import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../testing/harness.ts";
import { fillLargeInstance, LARGE_ASSET, largeDefinitions, partitionKey } from "../testing/large-instance.ts";

const TOTAL = 100_000;
const MATERIALIZED = 60_000;
const FAILED = 500;

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ definitions: largeDefinitions() });
  fillLargeInstance(h.instance.storage, { total: TOTAL, materialized: MATERIALIZED, failed: FAILED });
});
afterAll(async () => {
  await h.close();
});

const keysOf = (body: { items: { partitionKey: string }[] }) => body.items.map((p) => p.partitionKey);

describe("paging 100,000 partitions", () => {
  it("counts them on the graph", async () => {
    const { body } = await h.request("/api/assets");
    const big = body.assets.find((a: { key: string }) => a.key === LARGE_ASSET);
    expect(big.partitionCounts).toEqual({
      total: TOTAL,
      materialized: MATERIALIZED,
      failed: FAILED,
      missing: TOTAL - MATERIALIZED - FAILED,
    });
  });

  it("serves the first and the last page in registration order", async () => {
    const first = (await h.request(`/api/assets/${LARGE_ASSET}/partitions?limit=50`)).body;
    expect(first.total).toBe(TOTAL);
    expect(keysOf(first)).toEqual(Array.from({ length: 50 }, (_, i) => partitionKey(i)));
    expect(first.items[0]).toMatchObject({ status: "materialized", durationMs: 10 });
    const last = (await h.request(`/api/assets/${LARGE_ASSET}/partitions?limit=50&offset=${TOTAL - 20}`))
      .body;
    expect(keysOf(last)).toEqual(Array.from({ length: 20 }, (_, i) => partitionKey(TOTAL - 20 + i)));
    expect(last.items.every((p: { status: string }) => p.status === "missing")).toBe(true);
  });

  it("pages failed partitions with their errors", async () => {
    const page = (await h.request(`/api/assets/${LARGE_ASSET}/partitions?status=failed&limit=100&offset=450`))
      .body;
    expect(page.total).toBe(FAILED);
    expect(page.items).toHaveLength(50);
    expect(page.items[0].error).toContain("truncated response");
  });

  it("pages missing partitions across the whole key space", async () => {
    const page = (await h.request(`/api/assets/${LARGE_ASSET}/partitions?status=missing&limit=10&offset=100`))
      .body;
    expect(page.total).toBe(TOTAL - MATERIALIZED - FAILED);
    expect(keysOf(page)).toEqual(
      Array.from({ length: 10 }, (_, i) => partitionKey(MATERIALIZED + FAILED + 100 + i)),
    );
  });

  it("finds keys by substring, combined with a status", async () => {
    const page = (await h.request(`/api/assets/${LARGE_ASSET}/partitions?q=${encodeURIComponent("_09999")}`))
      .body;
    expect(keysOf(page)).toEqual(Array.from({ length: 10 }, (_, i) => partitionKey(99_990 + i)));
    const both = (await h.request(`/api/assets/${LARGE_ASSET}/partitions?q=_0600&status=failed&limit=3`))
      .body;
    expect(both.total).toBe(100);
    expect(keysOf(both)).toEqual([partitionKey(60_000), partitionKey(60_001), partitionKey(60_002)]);
  });

  it("returns the state of a run's 60,500 steps a page at a time", async () => {
    const runId = (await h.request("/api/runs")).body.runs[0].runId;
    const detail = (await h.request(`/api/runs/${runId}`)).body;
    expect(detail.counts).toMatchObject({ succeeded: MATERIALIZED, failed: FAILED });
    expect(detail.failuresTotal).toBe(FAILED);
    expect(detail.failures).toHaveLength(100);
    const steps = (await h.request(`/api/runs/${runId}/steps?offset=60000&limit=5`)).body;
    expect(steps.items.map((s: { status: string }) => s.status)).toEqual(Array(5).fill("failed"));
  });
});
