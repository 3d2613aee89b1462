import fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asset } from "../definitions/asset.ts";
import { defineDefinitions } from "../definitions/define.ts";
import { dynamicPartitions } from "../definitions/partitions.ts";
import type { DefinitionsSpec } from "../definitions/types.ts";
import { RetryableError } from "../errors.ts";
import type { Instance } from "../instance/types.ts";
import { materialize } from "./materialize.ts";
import { tempInstance } from "./test-support.ts";
import type { RunProgressEvent } from "./types.ts";

const items = dynamicPartitions("items");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let env: ReturnType<typeof tempInstance>;
let instance: Instance;
beforeEach(() => {
  env = tempInstance("core-executor-");
  instance = env.instance;
});
afterEach(() => env.cleanup());

function register(count: number): string[] {
  const keys = Array.from({ length: count }, (_, i) => `k${i}`);
  instance.addDynamicPartitions(items, keys);
  return keys;
}

const defsOf = (...assets: DefinitionsSpec["assets"]) => defineDefinitions({ assets });

describe("executor", () => {
  it("runs every step after its upstream steps", async () => {
    register(3);
    const finished: string[] = [];
    const startedAfter: Array<[string, string[]]> = [];
    const track = (label: string) => async () => {
      startedAfter.push([label, [...finished]]);
      await sleep(1);
      finished.push(label);
      return label;
    };
    const defs = defsOf(
      asset({ key: "source", compute: track("source") }),
      asset({
        key: "per_item",
        partitions: items,
        ins: { source: {} },
        compute: (ctx) => track(`per_item[${ctx.partitionKey}]`)(),
      }),
      asset({
        key: "per_item_2",
        partitions: items,
        ins: { per_item: {} },
        compute: (ctx) => track(`per_item_2[${ctx.partitionKey}]`)(),
      }),
      asset({ key: "report", deps: ["per_item_2"], compute: track("report") }),
    );
    const summary = await materialize(defs, { instance, selection: "*", partitions: "all" });
    expect(summary).toMatchObject({
      status: "succeeded",
      totalSteps: 8,
      succeeded: 8,
      failed: 0,
      skipped: 0,
    });
    const before = new Map(startedAfter);
    expect(before.get("source")).toEqual([]);
    for (const k of ["k0", "k1", "k2"]) {
      expect(before.get(`per_item[${k}]`)).toContain("source");
      expect(before.get(`per_item_2[${k}]`)).toContain(`per_item[${k}]`);
    }
    expect(before.get("report")).toEqual(
      expect.arrayContaining(["per_item_2[k0]", "per_item_2[k1]", "per_item_2[k2]"]),
    );
  });

  it("never runs more steps at once than the concurrency limit", async () => {
    register(12);
    let inFlight = 0;
    let maxInFlight = 0;
    const defs = defsOf(
      asset({
        key: "slow",
        partitions: items,
        compute: async () => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await sleep(15);
          inFlight--;
          return 1;
        },
      }),
    );
    const summary = await materialize(defs, {
      instance,
      selection: "slow",
      partitions: "all",
      concurrency: 3,
    });
    expect(summary.succeeded).toBe(12);
    expect(maxInFlight).toBe(3);
  });

  it("skips the downstream steps of a failed step and runs independent ones", async () => {
    register(3);
    const defs = defsOf(
      asset({
        key: "parse",
        partitions: items,
        compute: (ctx) => {
          if (ctx.partitionKey === "k1") throw new Error("bad input in k1\nsecond line");
          return ctx.partitionKey;
        },
      }),
      asset({ key: "score", partitions: items, ins: { parse: {} }, compute: (_ctx, { parse }) => parse }),
      asset({ key: "report", deps: ["score"], compute: () => "r" }),
      asset({ key: "independent", compute: () => "i" }),
    );
    const progress: RunProgressEvent[] = [];
    const summary = await materialize(defs, {
      instance,
      selection: "*",
      partitions: "all",
      onProgress: (e) => progress.push(e),
    });
    expect(summary).toMatchObject({ status: "failed", totalSteps: 8, succeeded: 5, failed: 1, skipped: 2 });
    expect(summary.failures).toEqual([{ assetKey: "parse", partitionKey: "k1", error: "bad input in k1" }]);
    const skipped = progress.filter((e) => e.type === "step_skipped");
    expect(skipped).toEqual([
      { type: "step_skipped", assetKey: "score", partitionKey: "k1", reason: "upstream parse[k1] failed" },
      {
        type: "step_skipped",
        assetKey: "report",
        partitionKey: undefined,
        reason: "upstream parse[k1] failed",
      },
    ]);
    const events = instance.storage.getEvents(summary.runId, { types: ["step_skipped", "step_failure"] });
    expect(events.map((e) => [e.type, e.assetKey, e.partitionKey, e.message ?? e.error?.message])).toEqual([
      ["step_failure", "parse", "k1", "bad input in k1\nsecond line"],
      ["step_skipped", "score", "k1", "upstream parse[k1] failed"],
      ["step_skipped", "report", null, "upstream parse[k1] failed"],
    ]);
    expect(events[0].error?.stack).toContain("executor.test.ts");
    expect(instance.storage.getRun(summary.runId)?.status).toBe("failed");
  });

  it("stops starting steps after the first failure with failFast", async () => {
    register(6);
    const started: string[] = [];
    const defs = defsOf(
      asset({
        key: "job",
        partitions: items,
        compute: (ctx) => {
          started.push(ctx.partitionKey!);
          if (ctx.partitionKey === "k0") throw new Error("boom");
        },
      }),
    );
    const summary = await materialize(defs, {
      instance,
      selection: "job",
      partitions: "all",
      concurrency: 1,
      failFast: true,
    });
    expect(started).toEqual(["k0"]);
    expect(summary).toMatchObject({ status: "failed", failed: 1, skipped: 5, succeeded: 0 });
  });
});

describe("retries", () => {
  const flaky = (failures: number, err: () => Error, retry = { maxAttempts: 3, delayMs: 1, backoff: 2 }) => {
    const attempts: number[] = [];
    const def = asset({
      key: "flaky",
      retry,
      compute: (ctx) => {
        attempts.push(ctx.attempt);
        if (attempts.length <= failures) throw err();
        return "ok";
      },
    });
    return { def, attempts };
  };

  it("retries a retryable error until an attempt succeeds", async () => {
    const { def, attempts } = flaky(2, () => new RetryableError("rate limited"));
    const summary = await materialize(defsOf(def), { instance, selection: "flaky" });
    expect(summary.status).toBe("succeeded");
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("gives up after maxAttempts and reports the last error", async () => {
    const { def, attempts } = flaky(10, () => new RetryableError("still rate limited"));
    const summary = await materialize(defsOf(def), { instance, selection: "flaky" });
    expect(attempts).toEqual([1, 2, 3]);
    expect(summary.failures[0].error).toBe("still rate limited");
  });

  it("waits delayMs, then delayMs x backoff, before each new attempt and logs each retry", async () => {
    const { def, attempts } = flaky(2, () => new RetryableError("busy"), {
      maxAttempts: 3,
      delayMs: 5,
      backoff: 3,
    });
    const summary = await materialize(defsOf(def), { instance, selection: "flaky" });
    expect(attempts).toEqual([1, 2, 3]);
    const retries = fs
      .readFileSync(summary.logPath, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
      .filter((line) => line.msg === "attempt failed with a retryable error; retrying");
    expect(retries.map((line) => [line.asset, line.attempt, line.delay_ms])).toEqual([
      ["flaky", 1, 5],
      ["flaky", 2, 15],
    ]);
  });

  it("does not retry an error that is not marked retryable", async () => {
    const { def, attempts } = flaky(10, () => new TypeError("bug"));
    const summary = await materialize(defsOf(def), { instance, selection: "flaky" });
    expect(attempts).toEqual([1]);
    expect(summary.status).toBe("failed");
  });

  it("treats any error with retryable === true as retryable", async () => {
    const { def, attempts } = flaky(1, () => Object.assign(new Error("HTTP 503"), { retryable: true }));
    expect((await materialize(defsOf(def), { instance, selection: "flaky" })).status).toBe("succeeded");
    expect(attempts).toEqual([1, 2]);
  });

  it("stops waiting for the next attempt when the run is canceled", async () => {
    const controller = new AbortController();
    const { def, attempts } = flaky(
      10,
      () => {
        setTimeout(() => controller.abort(), 5);
        return new RetryableError("slow down");
      },
      { maxAttempts: 5, delayMs: 60_000, backoff: 1 },
    );
    const summary = await materialize(defsOf(def), {
      instance,
      selection: "flaky",
      signal: controller.signal,
    });
    expect(attempts).toEqual([1]);
    // canceled while waiting to retry: the step was cut short, it did not fail
    expect(summary).toMatchObject({ status: "canceled", failed: 0, canceled: 1, failures: [] });
  });
});
