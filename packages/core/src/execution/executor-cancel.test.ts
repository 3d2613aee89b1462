import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asset } from "../definitions/asset.ts";
import { defineDefinitions } from "../definitions/define.ts";
import { dynamicPartitions } from "../definitions/partitions.ts";
import type { AssetContext } from "../definitions/types.ts";
import { AssetsError } from "../errors.ts";
import type { Instance } from "../instance/types.ts";
import { materialize } from "./materialize.ts";
import { recordMaterialized, tempInstance } from "./test-support.ts";
import type { RunProgressEvent } from "./types.ts";

const items = dynamicPartitions("items");

let env: ReturnType<typeof tempInstance>;
let instance: Instance;
beforeEach(() => {
  env = tempInstance("core-cancel-");
  instance = env.instance;
  instance.addDynamicPartitions(
    items,
    Array.from({ length: 6 }, (_, i) => `k${i}`),
  );
});
afterEach(() => env.cleanup());

/**
 * Materializes `long` over every key with concurrency 2; once both running steps have
 * started, the run is canceled and each running compute ends with what `onAbort` throws.
 */
async function cancelWhileRunning(onAbort: (ctx: AssetContext) => unknown) {
  const controller = new AbortController();
  const started: string[] = [];
  const events: RunProgressEvent[] = [];
  const defs = defineDefinitions({
    assets: [
      asset({
        key: "long",
        partitions: items,
        compute: (ctx) =>
          new Promise((_resolve, reject) => {
            started.push(ctx.partitionKey!);
            ctx.signal.addEventListener("abort", () => reject(onAbort(ctx)), { once: true });
            if (started.length === 2) controller.abort();
          }),
      }),
    ],
  });
  const summary = await materialize(defs, {
    instance,
    selection: "long",
    partitions: "all",
    concurrency: 2,
    signal: controller.signal,
    onProgress: (e) => events.push(e),
  });
  return { summary, started, events };
}

describe("cancellation", () => {
  it("records running steps ended by the cancel as canceled with the reason, not as failures", async () => {
    const { summary, started, events } = await cancelWhileRunning((ctx) => ctx.signal.reason);
    expect(started).toEqual(["k0", "k1"]);
    expect(summary).toMatchObject({
      status: "canceled",
      succeeded: 0,
      failed: 0,
      canceled: 2,
      skipped: 4,
      failures: [],
    });
    expect(instance.storage.getRun(summary.runId)?.status).toBe("canceled");
    expect(instance.storage.getRun(summary.runId)?.tags).toMatchObject({ canceled: "2", failed: "0" });
    const stepEvents = instance.storage.getEvents(summary.runId, { types: ["step_failure", "step_skipped"] });
    expect(stepEvents.filter((e) => e.type === "step_failure")).toEqual([]);
    const canceled = stepEvents.filter((e) => e.message === "run canceled").map((e) => e.partitionKey);
    expect(canceled.sort()).toEqual(["k0", "k1"]);
    expect(stepEvents.filter((e) => e.message === "run canceled before this step started")).toHaveLength(4);
    const progress = events.filter((e) => e.type === "step_canceled");
    expect(progress.map((e) => [e.partitionKey, e.reason]).sort()).toEqual([
      ["k0", "run canceled"],
      ["k1", "run canceled"],
    ]);
  });

  it("keeps the latest state of canceled partitions, so a missing run redoes them", async () => {
    recordMaterialized(instance, "long", ["k2"]);
    const { summary } = await cancelWhileRunning((ctx) => ctx.signal.reason);
    expect(summary.canceled).toBe(2);
    expect(instance.storage.getAssetPartitionState("long", "k0")).toBeUndefined();
    expect(instance.storage.getAssetPartitionState("long", "k1")).toBeUndefined();
    expect(instance.storage.getAssetPartitionState("long", "k2")?.status).toBe("materialized");
    const again = await materialize(
      defineDefinitions({ assets: [asset({ key: "long", partitions: items, compute: () => 1 })] }),
      { instance, selection: "long", partitions: "missing" },
    );
    expect(again).toMatchObject({ status: "succeeded", succeeded: 5 });
  });

  it("recognises AbortErrors, errors coded ..._ABORTED and aborts wrapped as a cause", async () => {
    const thrown = [
      () => new DOMException("This operation was aborted", "AbortError"),
      () => new AssetsError("LLM_ABORTED", "LLM call to m failed: cancelled", { userError: false }),
      (ctx: AssetContext) => new Error("could not write the response", { cause: ctx.signal.reason }),
    ];
    for (const make of thrown) {
      const { summary } = await cancelWhileRunning(make);
      expect(summary).toMatchObject({ status: "canceled", failed: 0, canceled: 2 });
    }
  });

  it("still counts an error that is not an abort as a failure after the cancel", async () => {
    const { summary } = await cancelWhileRunning(() => new Error("disk full"));
    expect(summary).toMatchObject({ status: "canceled", failed: 2, canceled: 0, skipped: 4 });
    expect(summary.failures.map((f) => f.error)).toEqual(["disk full", "disk full"]);
    expect(instance.storage.getAssetPartitionState("long", "k0")?.status).toBe("failed");
  });

  it("cancels the steps a fail-fast stop cuts short, naming fail-fast as the reason", async () => {
    const events: RunProgressEvent[] = [];
    const defs = defineDefinitions({
      assets: [
        asset({
          key: "long",
          partitions: items,
          compute: (ctx) =>
            new Promise((_resolve, reject) => {
              ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
            }),
        }),
        asset({ key: "bad", compute: () => sleep(20).then(() => Promise.reject(new Error("boom"))) }),
      ],
    });
    const summary = await materialize(defs, {
      instance,
      selection: "long,bad",
      partitions: "all",
      concurrency: 8,
      failFast: true,
      onProgress: (e) => events.push(e),
    });
    expect(summary).toMatchObject({ status: "failed", failed: 1, canceled: 6, skipped: 0 });
    expect(summary.failures.map((f) => f.assetKey)).toEqual(["bad"]);
    const reasons = new Set(events.flatMap((e) => (e.type === "step_canceled" ? [e.reason] : [])));
    expect([...reasons]).toEqual(["run stopped after a failed step (fail-fast)"]);
  });
});
