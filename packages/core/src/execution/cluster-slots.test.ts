import os from "node:os";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asset } from "../definitions/asset.ts";
import { defineDefinitions } from "../definitions/define.ts";
import { dynamicPartitions } from "../definitions/partitions.ts";
import type { ClusterSlots, ResourceFactory } from "../definitions/types.ts";
import { AssetsError } from "../errors.ts";
import type { Instance } from "../instance/types.ts";
import { RunClusterSlots } from "./cluster-slots.ts";
import { materialize } from "./materialize.ts";
import { tempInstance } from "./test-support.ts";

const items = dynamicPartitions("items");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let env: ReturnType<typeof tempInstance>;
let instance: Instance;
beforeEach(() => {
  env = tempInstance("core-slots-");
  instance = env.instance;
  instance.addDynamicPartitions(items, ["a", "b", "c", "d", "e", "f"]);
});
afterEach(() => env.cleanup());

/** A resource handing steps the run's cluster slots, as a rate-limited client would use them. */
const slotsResource: ResourceFactory<ClusterSlots | undefined> = {
  kind: "resource-factory",
  create: (run) => run?.clusterSlots,
};

/** Another live run of this process, holding `count` slots of `name`. */
function otherRunHolding(name: string, limit: number, count: number): string {
  const runId = `other-${Math.random().toString(36).slice(2)}`;
  instance.storage.createRun({
    runId,
    status: "started",
    selection: "*",
    partitionsSummary: "",
    stepCount: 0,
    pid: process.pid,
    host: os.hostname(),
    tags: {},
  });
  expect(instance.storage.acquireSlots(runId, name, limit, count)).toBe(count);
  return runId;
}

describe("cluster slots of a run", () => {
  it("let no more steps hold a slot at once than the limit, and are all given back", async () => {
    let inFlight = 0;
    let peak = 0;
    const defs = defineDefinitions({
      assets: [
        asset({
          key: "calls",
          partitions: items,
          resources: ["slots"],
          compute: async (ctx) => {
            const release = await (ctx.resources.slots as ClusterSlots).acquire("api", 2, ctx.signal);
            try {
              peak = Math.max(peak, ++inFlight);
              await sleep(40);
            } finally {
              inFlight--;
              release();
            }
          },
        }),
      ],
      resources: { slots: slotsResource },
    });
    const summary = await materialize(defs, {
      instance,
      selection: "calls",
      partitions: "all",
      concurrency: 6,
    });
    expect(summary).toMatchObject({ status: "succeeded", succeeded: 6 });
    expect(peak).toBe(2);
    // nothing is left held: another run gets every slot
    otherRunHolding("api", 2, 2);
  });

  it("wait while other runs hold every slot, and go on once one is given back", async () => {
    const other = otherRunHolding("api", 1, 1);
    let startedAt = 0;
    const defs = defineDefinitions({
      assets: [
        asset({
          key: "call",
          resources: ["slots"],
          compute: async (ctx) => {
            const release = await (ctx.resources.slots as ClusterSlots).acquire("api", 1, ctx.signal);
            startedAt = Date.now();
            release();
          },
        }),
      ],
      resources: { slots: slotsResource },
    });
    let releasedAt = 0;
    const run = materialize(defs, { instance, selection: "call" });
    await sleep(400);
    releasedAt = Date.now();
    instance.storage.releaseSlots(other, "api");
    expect(await run).toMatchObject({ status: "succeeded" });
    expect(startedAt).toBeGreaterThanOrEqual(releasedAt);
  });

  it("stop waiting when the run is canceled", async () => {
    otherRunHolding("api", 1, 1);
    const errors: unknown[] = [];
    const defs = defineDefinitions({
      assets: [
        asset({
          key: "call",
          resources: ["slots"],
          compute: async (ctx) => {
            try {
              await (ctx.resources.slots as ClusterSlots).acquire("api", 1, ctx.signal);
            } catch (err) {
              errors.push(err);
              throw err;
            }
          },
        }),
      ],
      resources: { slots: slotsResource },
    });
    const controller = new AbortController();
    const run = materialize(defs, { instance, selection: "call", signal: controller.signal });
    await sleep(300);
    controller.abort();
    expect(await run).toMatchObject({ status: "canceled" });
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe("run canceled");
  });

  it("refuse a slot outside a run, and after it", async () => {
    const slots = new RunClusterSlots(instance.storage);
    const before = await slots.acquire("api", 1).catch((err: unknown) => err);
    expect(before).toBeInstanceOf(AssetsError);
    expect(before).toMatchObject({ code: "CLUSTER_SLOT_OUTSIDE_RUN" });
    expect((before as Error).message).toContain("before the run has started");
    const runId = otherRunHolding("other", 1, 1);
    slots.bind(runId);
    const release = await slots.acquire("api", 1);
    slots.unbind();
    // the run's end gave its slots back; a late release does not touch the storage
    release();
    await expect(slots.acquire("api", 1)).rejects.toThrow(/the run has ended/);
  });
});
