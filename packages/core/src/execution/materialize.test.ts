import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asset } from "../definitions/asset.ts";
import { defineDefinitions } from "../definitions/define.ts";
import { dynamicPartitions } from "../definitions/partitions.ts";
import { withMetadata } from "../definitions/result.ts";
import type { IOManager } from "../definitions/types.ts";
import { InputLoadError, PartitionError } from "../errors.ts";
import type { Instance } from "../instance/types.ts";
import { jsonIOManager } from "../io/json.ts";
import { memoryIOManager } from "../io/memory.ts";
import { materialize } from "./materialize.ts";
import { tempInstance } from "./test-support.ts";
import type { RunProgressEvent } from "./types.ts";

const items = dynamicPartitions("items");

let env: ReturnType<typeof tempInstance>;
let instance: Instance;
beforeEach(() => {
  env = tempInstance("core-materialize-");
  instance = env.instance;
});
afterEach(() => env.cleanup());

/** A memory IO manager that counts loads per asset. */
function countingIO(): { io: IOManager; loads: Map<string, number> } {
  const inner = memoryIOManager();
  const loads = new Map<string, number>();
  return {
    loads,
    io: {
      handleOutput: (ctx, value) => inner.handleOutput(ctx, value),
      loadInput: (ctx) => {
        loads.set(ctx.assetKey, (loads.get(ctx.assetKey) ?? 0) + 1);
        return inner.loadInput(ctx);
      },
    },
  };
}

describe("inputs", () => {
  const pipeline = (ioManagers: Record<string, IOManager>) =>
    defineDefinitions({
      assets: [
        asset({ key: "lookup", io: "store", compute: () => ({ factor: 10 }) }),
        asset({
          key: "scaled",
          io: "store",
          partitions: items,
          ins: { lookup: {} },
          compute: (ctx, { lookup }) => Number(ctx.partitionKey) * (lookup as { factor: number }).factor,
        }),
        asset({
          key: "renamed",
          ins: { factors: { asset: "lookup" } },
          compute: (_c, { factors }) => factors,
        }),
      ],
      ioManagers,
    });

  it("loads an upstream value materialized by a previous run through its IO manager", async () => {
    instance.addDynamicPartitions(items, ["1", "2"]);
    const defs = pipeline({ store: jsonIOManager({ dir: path.join(env.home, "data") }) });
    expect((await materialize(defs, { instance, selection: "lookup" })).status).toBe("succeeded");
    // A fresh Definitions object (as in a new process) must find the value on disk.
    const again = pipeline({ store: jsonIOManager({ dir: path.join(env.home, "data") }) });
    const summary = await materialize(again, { instance, selection: "scaled", partitions: "all" });
    expect(summary.status).toBe("succeeded");
    expect(JSON.parse(fs.readFileSync(path.join(env.home, "data", "scaled", "2.json"), "utf8"))).toBe(20);
  });

  it("fails with an InputLoadError naming the asset to materialize first", async () => {
    instance.addDynamicPartitions(items, ["1"]);
    const defs = pipeline({ store: jsonIOManager({ dir: path.join(env.home, "data") }) });
    const errors: Error[] = [];
    const summary = await materialize(defs, {
      instance,
      selection: "scaled",
      partitions: "all",
      onProgress: (e) => e.type === "step_failure" && errors.push(e.error),
    });
    expect(summary.status).toBe("failed");
    expect(summary.failures[0].error).toMatch(
      /^input lookup of asset scaled partition "1" could not be loaded: /,
    );
    expect(errors[0]).toBeInstanceOf(InputLoadError);
    expect((errors[0] as InputLoadError).hint).toBe(
      "materialize lookup first (assets materialize --select lookup)",
    );
    const [failure] = instance.storage.getEvents(summary.runId, { types: ["step_failure"] });
    expect(failure.error?.message).toContain("hint: materialize lookup first");
    // the hint on its own too, so that `assets runs show` can print it under the failure
    expect(failure.error?.hint).toBe("materialize lookup first (assets materialize --select lookup)");
  });

  it("names the upstream asset when the input has another name", async () => {
    const defs = pipeline({ store: memoryIOManager() });
    const summary = await materialize(defs, { instance, selection: "renamed" });
    expect(summary.failures[0].error).toMatch(
      /^input factors \(asset lookup\) of asset renamed could not be loaded/,
    );
  });

  it("loads an unpartitioned upstream once per run for all partitions", async () => {
    instance.addDynamicPartitions(
      items,
      Array.from({ length: 40 }, (_, i) => String(i)),
    );
    const { io, loads } = countingIO();
    const defs = pipeline({ store: io });
    const inRun = await materialize(defs, { instance, selection: "lookup,scaled", partitions: "all" });
    expect(inRun.succeeded).toBe(41);
    expect(loads.get("lookup")).toBe(1);
    loads.clear();
    const later = await materialize(defs, { instance, selection: "scaled", partitions: "all" });
    expect(later.succeeded).toBe(40);
    expect(loads.get("lookup")).toBe(1);
  });
});

describe("run record", () => {
  it("puts metadata from ctx.addMetadata and withMetadata on the materialization event", async () => {
    const defs = defineDefinitions({
      assets: [
        asset({
          key: "table",
          compute: (ctx) => {
            ctx.addMetadata({ rows: 2, source: "ctx" });
            return withMetadata([1, 2], { source: "result", model: "offline" });
          },
        }),
      ],
    });
    const progress: RunProgressEvent[] = [];
    const summary = await materialize(defs, {
      instance,
      selection: "table",
      onProgress: (e) => progress.push(e),
    });
    const [event] = instance.storage.getEvents(summary.runId, { types: ["materialization"] });
    expect(event.metadata).toEqual({ rows: 2, source: "result", model: "offline" });
    expect(event.durationMs).toBeGreaterThanOrEqual(0);
    expect(instance.storage.getAssetPartitionState("table")?.metadata).toEqual(event.metadata);
    expect(progress.find((e) => e.type === "step_success")).toMatchObject({ metadata: event.metadata });
    expect(instance.storage.getEvents(summary.runId).map((e) => e.type)).toEqual([
      "run_start",
      "step_start",
      "materialization",
      "run_end",
    ]);
  });

  it("fails only the step whose metadata JSON cannot hold", async () => {
    const defs = defineDefinitions({
      assets: [
        asset({ key: "bad", compute: () => withMetadata(1, { big: 10n as unknown as number }) }),
        asset({ key: "good", compute: () => withMetadata(2, { fine: true }) }),
      ],
    });
    const summary = await materialize(defs, { instance, selection: "*" });
    expect(summary).toMatchObject({ status: "failed", succeeded: 1, failed: 1 });
    expect(summary.failures[0].error).toMatch(/^metadata of asset bad is not JSON-serialisable/);
    expect(instance.storage.getAssetPartitionState("good")?.metadata).toEqual({ fine: true });
  });

  it("writes a JSON-lines log per run, every line tagged with run_id, asset and partition", async () => {
    instance.addDynamicPartitions(items, ["a"]);
    const defs = defineDefinitions({
      assets: [
        asset({
          key: "noisy",
          partitions: items,
          compute: (ctx) => {
            ctx.log.info({ detail: 42 }, "hello from compute");
          },
        }),
      ],
    });
    const summary = await materialize(defs, { instance, selection: "noisy", partitions: "all" });
    expect(summary.logPath).toBe(path.join(env.home, "logs", `${summary.runId}.jsonl`));
    const lines = fs
      .readFileSync(summary.logPath, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(line.run_id).toBe(summary.runId);
      expect(line).toHaveProperty("asset");
      expect(line).toHaveProperty("partition");
    }
    expect(lines.find((l) => l.msg === "hello from compute")).toMatchObject({
      asset: "noisy",
      partition: "a",
      detail: 42,
    });
  });

  it("leaves a step another live run has claimed to it, without computing it, and names the holder", async () => {
    instance.addDynamicPartitions(items, ["a", "b"]);
    instance.storage.createRun({
      runId: "other-run",
      status: "started",
      selection: "work",
      partitionsSummary: "",
      stepCount: 1,
      pid: process.pid,
      host: os.hostname(),
      tags: {},
    });
    expect(instance.storage.claimStep("work", "a", "other-run")).toBe(true);
    const computed: string[] = [];
    const defs = defineDefinitions({
      assets: [asset({ key: "work", partitions: items, compute: (ctx) => computed.push(ctx.partitionKey!) })],
    });
    const summary = await materialize(defs, { instance, selection: "work", partitions: "all" });
    expect(computed).toEqual(["b"]);
    expect(summary).toMatchObject({
      status: "succeeded",
      succeeded: 1,
      skipped: 0,
      held: 1,
      heldBy: [{ runId: "other-run", host: os.hostname(), pid: process.pid, steps: 1 }],
    });
    const [skip] = instance.storage.getEvents(summary.runId, { types: ["step_skipped"] });
    expect(skip).toMatchObject({ assetKey: "work", partitionKey: "a" });
    expect(skip.message).toContain("is being materialized by run other-run");
    // Claims of the finished run are released: the other run can still take "b".
    expect(instance.storage.claimStep("work", "b", "other-run")).toBe(true);
  });

  it("records nothing when the selection or partitions are wrong", async () => {
    instance.addDynamicPartitions(items, ["a"]);
    const defs = defineDefinitions({ assets: [asset({ key: "work", partitions: items, compute: () => 1 })] });
    await expect(materialize(defs, { instance, selection: "work" })).rejects.toBeInstanceOf(PartitionError);
    await expect(
      materialize(defs, { instance, selection: 'key:"nothing*"', partitions: "all" }),
    ).rejects.toThrow(/matches no assets/);
    expect(instance.storage.listRuns()).toEqual([]);
  });

  it("lets compute register dynamic partitions through ctx.instance", async () => {
    const defs = defineDefinitions({
      assets: [
        asset({
          key: "discover",
          compute: (ctx) => ctx.instance.addDynamicPartitions(items, ["x", "y", "x"]),
        }),
      ],
    });
    await materialize(defs, { instance, selection: "discover" });
    expect(instance.getDynamicPartitions(items)).toEqual(["x", "y"]);
  });
});
