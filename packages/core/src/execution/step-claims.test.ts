import os from "node:os";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { asset } from "../definitions/asset.ts";
import { defineDefinitions } from "../definitions/define.ts";
import { dynamicPartitions } from "../definitions/partitions.ts";
import type { ClaimOutcome, Instance, StepRef, Storage } from "../instance/types.ts";
import { materialize } from "./materialize.ts";
import type { Plan } from "./plan.ts";
import { MAX_CLAIM_AHEAD, StepClaims } from "./step-claims.ts";
import { tempInstance } from "./test-support.ts";

const HOLDER = { runId: "other", host: "h", pid: 1 };

/**
 * Storage whose claimSteps refuses the partition keys in `held`, reports those in `done` as
 * materialized (when asked to), and records each batch.
 */
function fakeStorage(held = new Set<string>(), done = new Set<string>()) {
  const batches: string[][] = [];
  const storage = {
    claimSteps<S extends StepRef>(
      _runId: string,
      steps: readonly S[],
      opts: { skipMaterialized?: boolean } = {},
    ): ClaimOutcome<S> {
      batches.push(steps.map((s) => s.partitionKey));
      const outcome: ClaimOutcome<S> = { claimed: [], held: [], materialized: [] };
      for (const s of steps) {
        if (opts.skipMaterialized && done.has(s.partitionKey)) outcome.materialized.push(s);
        else if (held.has(s.partitionKey)) outcome.held.push({ step: s, holder: HOLDER });
        else outcome.claimed.push(s);
      }
      return outcome;
    },
  } as unknown as Storage;
  return { storage, batches, held, done };
}

const CLAIMED = { kind: "claimed" };
const HELD = { kind: "held", holder: HOLDER };

/** Steps "0".."n-1" of one asset; `upstream` defaults to none (every step is ready at once). */
function planOf(n: number, upstream?: number[][]): Plan {
  const steps = Array.from({ length: n }, (_, i) => ({ assetKey: "a", partitionKey: String(i) }));
  return { steps, barriers: [], upstream: upstream ?? steps.map(() => []) };
}

const FAST_MS = 0.01;

describe("StepClaims", () => {
  it("claims the steps asked for in the same tick in one batch, and none ahead before a step has finished", async () => {
    const { storage, batches } = fakeStorage();
    const claims = new StepClaims(storage, "r", planOf(10), 8, false);
    expect(await Promise.all([claims.claim(0), claims.claim(1), claims.claim(2)])).toEqual([
      CLAIMED,
      CLAIMED,
      CLAIMED,
    ]);
    expect(batches).toEqual([["0", "1", "2"]]);
  });

  it("claims ready steps ahead once steps prove fast, and answers those without another batch", async () => {
    const { storage, batches } = fakeStorage();
    const claims = new StepClaims(storage, "r", planOf(400), 8, false);
    await claims.claim(0);
    claims.finished(0, FAST_MS, true);
    expect(await claims.claim(1)).toEqual(CLAIMED);
    expect(batches[1]).toEqual(Array.from({ length: 1 + MAX_CLAIM_AHEAD }, (_, i) => String(i + 1)));
    expect(claims.claim(2)).toEqual(CLAIMED);
    expect(claims.claim(MAX_CLAIM_AHEAD + 1)).toEqual(CLAIMED);
    expect(batches).toHaveLength(2);
    expect(claims.claim(MAX_CLAIM_AHEAD + 2)).toBeInstanceOf(Promise);
  });

  it("claims slow steps only as far ahead as the steps expected to start within 200 ms", async () => {
    const { storage, batches } = fakeStorage();
    const claims = new StepClaims(storage, "r", planOf(30), 2, false);
    await claims.claim(0);
    // 2 slots x 200 ms / 40 ms per step: 10 steps ahead of the one asked for.
    claims.finished(0, 40, true);
    await claims.claim(1);
    expect(batches[1]).toEqual(Array.from({ length: 11 }, (_, i) => String(i + 1)));
  });

  it("asks again for a step refused ahead once the runner reaches it", async () => {
    const { storage, batches, held } = fakeStorage(new Set(["2"]));
    const claims = new StepClaims(storage, "r", planOf(4), 8, false);
    await claims.claim(0);
    claims.finished(0, FAST_MS, true);
    await claims.claim(1);
    expect(batches[1]).toEqual(["1", "2", "3"]);
    held.delete("2");
    const answer = claims.claim(2);
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toEqual(CLAIMED);
    expect(batches[2]).toEqual(["2"]);
  });

  it("names the holder of a step another run holds when reached", async () => {
    const { storage } = fakeStorage(new Set(["1"]));
    const claims = new StepClaims(storage, "r", planOf(3), 8, false);
    expect(await Promise.all([claims.claim(0), claims.claim(1)])).toEqual([CLAIMED, HELD]);
  });

  it("re-checking: a step materialized since planning is reported, ahead too, and not claimed", async () => {
    const { storage, batches } = fakeStorage(new Set(), new Set(["0", "3"]));
    const claims = new StepClaims(storage, "r", planOf(5), 8, true);
    expect(await claims.claim(0)).toEqual({ kind: "materialized" });
    claims.finished(0, undefined, true);
    await claims.claim(1);
    claims.finished(1, FAST_MS, true);
    await claims.claim(2);
    expect(batches[2]).toEqual(["2", "3", "4"]);
    expect(claims.claim(3)).toEqual({ kind: "materialized" });
    expect(claims.claim(4)).toEqual(CLAIMED);
  });

  it("a waiting step gets its claim once the holder lets go, naming the runs it waited on", async () => {
    const { storage, held } = fakeStorage(new Set(["0"]));
    const claims = new StepClaims(storage, "r", planOf(2), 8, false);
    expect(await claims.claim(0)).toEqual(HELD);
    const waiting = claims.waitForRelease(0, HOLDER, new AbortController().signal);
    setTimeout(() => held.delete("0"), 50);
    expect(await waiting).toEqual({ kind: "claimed", waitedOn: [HOLDER] });
    claims.close();
  });

  it("a waiting step resolves 'stopped' when the run stops", async () => {
    const { storage } = fakeStorage(new Set(["0"]));
    const claims = new StepClaims(storage, "r", planOf(1), 8, false);
    const controller = new AbortController();
    const waiting = claims.waitForRelease(0, HOLDER, controller.signal);
    controller.abort();
    expect(await waiting).toEqual({ kind: "stopped" });
    claims.close();
  });

  // steps x0, x1 -> barrier (node 4) -> y (step 2); w (step 3) is independent
  const barrierPlan = () => planOf(4, [[], [], [4], [], [0, 1]]);

  it("claims a downstream step ahead once every upstream step succeeded", async () => {
    const { storage, batches } = fakeStorage();
    const claims = new StepClaims(storage, "r", barrierPlan(), 8, false);
    await Promise.all([claims.claim(0), claims.claim(1)]);
    claims.finished(0, FAST_MS, true);
    claims.finished(1, FAST_MS, true);
    await claims.claim(3);
    expect(batches[1]).toEqual(["3", "2"]);
    expect(claims.claim(2)).toEqual(CLAIMED);
  });

  it("never claims a downstream step ahead after an upstream step failed", async () => {
    const { storage, batches } = fakeStorage();
    const claims = new StepClaims(storage, "r", barrierPlan(), 8, false);
    await Promise.all([claims.claim(0), claims.claim(1)]);
    claims.finished(0, FAST_MS, true);
    claims.finished(1, FAST_MS, false);
    await claims.claim(3);
    expect(batches[1]).toEqual(["3"]);
  });

  it("rejects every waiting request when storage fails", async () => {
    const storage = {
      claimSteps: () => {
        throw new Error("disk I/O error");
      },
    } as unknown as Storage;
    const claims = new StepClaims(storage, "r", planOf(2), 8, false);
    const answers = await Promise.allSettled([claims.claim(0), claims.claim(1)]);
    expect(answers.map((a) => a.status === "rejected" && (a.reason as Error).message)).toEqual([
      "disk I/O error",
      "disk I/O error",
    ]);
  });
});

describe("claims during a run", () => {
  const items = dynamicPartitions("items");
  let env: ReturnType<typeof tempInstance>;
  let instance: Instance;
  beforeEach(() => {
    env = tempInstance("core-step-claims-");
    instance = env.instance;
    // A live run competing for the same steps: whatever our run holds, it must be refused.
    instance.storage.createRun({
      runId: "rival",
      status: "started",
      selection: "*",
      partitionsSummary: "",
      stepCount: 0,
      pid: process.pid,
      host: os.hostname(),
      tags: {},
    });
  });
  afterEach(() => env.cleanup());

  /** Whether the rival could claim the step now; a claim it gets is given back at once. */
  function freeForRival(assetKey: string, partitionKey: string): boolean {
    const free = instance.storage.claimStep(assetKey, partitionKey, "rival");
    if (free) instance.storage.releaseSteps("rival", [{ assetKey, partitionKey }]);
    return free;
  }

  it("computes every step while holding its claim, taking the claims of 600 fast steps in a few batches", async () => {
    const keys = Array.from({ length: 600 }, (_, i) => `k${i}`);
    instance.addDynamicPartitions(items, keys);
    const batchCalls = vi.spyOn(instance.storage, "claimSteps");
    const singleCalls = vi.spyOn(instance.storage, "claimStep");
    const heldWhileComputing: boolean[] = [];
    const defs = defineDefinitions({
      assets: [
        asset({
          key: "fast",
          partitions: items,
          compute: (ctx) => heldWhileComputing.push(!freeForRival("fast", ctx.partitionKey!)),
        }),
      ],
    });
    const summary = await materialize(defs, { instance, selection: "fast", partitions: "all" });
    expect(summary).toMatchObject({ status: "succeeded", succeeded: 600 });
    expect(heldWhileComputing).toEqual(keys.map(() => true));
    expect(batchCalls.mock.calls.length).toBeLessThan(20);
    // only the rival's probes: the run itself never claims one step at a time
    expect(singleCalls.mock.calls.every(([, , runId]) => runId === "rival")).toBe(true);
    // the run's claims are all released at its end
    expect(keys.every((k) => freeForRival("fast", k))).toBe(true);
  });

  it("does not hold claims of slow steps long before they start", async () => {
    const keys = Array.from({ length: 6 }, (_, i) => `k${i}`);
    instance.addDynamicPartitions(items, keys);
    const twoAheadFree: boolean[] = [];
    const defs = defineDefinitions({
      assets: [
        asset({
          key: "slow",
          partitions: items,
          compute: async (ctx) => {
            const later = keys[keys.indexOf(ctx.partitionKey!) + 2];
            if (later) twoAheadFree.push(freeForRival("slow", later));
            // 120 ms per step at concurrency 1: at most one step starts within the 200 ms window.
            await new Promise((resolve) => setTimeout(resolve, 120));
          },
        }),
      ],
    });
    const summary = await materialize(defs, {
      instance,
      selection: "slow",
      partitions: "all",
      concurrency: 1,
    });
    expect(summary).toMatchObject({ status: "succeeded", succeeded: 6 });
    expect(twoAheadFree).toEqual([true, true, true, true]);
  });
});
