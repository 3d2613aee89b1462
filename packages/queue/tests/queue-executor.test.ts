/**
 * The queue executor through its package API, against a real PostgreSQL (the test server):
 * enqueue, workers draining one run, failures, cancel. Every compute counts its calls, so the
 * tests assert the work actually done, not only statuses.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  asset,
  assetCheck,
  defineDefinitions,
  dynamicPartitions,
  type Instance,
  jsonIOManager,
  openInstance,
} from "@daydream/core";
import type { PostgresStorage } from "@daydream/postgres";
import { testSchemaUrl } from "@daydream/postgres/testing";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import {
  cancelQueuedRun,
  enqueueRun,
  followRun,
  openQueueStorage,
  QueueError,
  runWorker,
  SHARED_ROOT_MARKER,
} from "../src/index.ts";

const items = dynamicPartitions("items");
const KEYS = Array.from({ length: 20 }, (_, i) => `k${String(i).padStart(2, "0")}`);

let home: string;
let schema: ReturnType<typeof testSchemaUrl>;
let instance: Instance;
let calls: Map<string, number>;

/**
 * a[k] -> b[k] (same partition) -> total (after every b: a barrier). `failOn` makes a[k] throw;
 * `blockOn` makes a blocking check of a fail on that partition.
 */
function definitions(failOn?: string, blockOn?: string) {
  const files = jsonIOManager({ dir: path.join(home, "data") });
  const count = (label: string) => calls.set(label, (calls.get(label) ?? 0) + 1);
  const a = asset({
    key: "a",
    partitions: items,
    io: "files",
    compute: async (ctx) => {
      count(`a[${ctx.partitionKey}]`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (ctx.partitionKey === failOn) throw new Error(`no value for ${ctx.partitionKey}`);
      return ctx.partitionKey;
    },
  });
  const b = asset({
    key: "b",
    partitions: items,
    ins: { a: {} },
    io: "files",
    compute: (ctx, inputs) => {
      count(`b[${ctx.partitionKey}]`);
      return `${inputs.a}!`;
    },
  });
  const total = asset({
    key: "total",
    deps: ["b"],
    io: "files",
    compute: () => {
      count("total");
      return 1;
    },
  });
  const checks =
    blockOn === undefined
      ? []
      : [
          assetCheck({
            name: "accepted",
            asset: "a",
            blocking: true,
            check: (ctx) => ({ passed: ctx.partitionKey !== blockOn, description: "rejected" }),
          }),
        ];
  return defineDefinitions({ assets: [a, b, total], ioManagers: { files }, checks });
}

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "queue-executor-"));
  schema = testSchemaUrl(inject("postgresUrl"), "queue_executor");
  instance = openInstance(home, { storage: openQueueStorage(schema.url) });
  instance.addDynamicPartitions(items, KEYS);
  calls = new Map();
});

afterEach(async () => {
  instance.close();
  await schema.drop();
  fs.rmSync(home, { recursive: true, force: true });
});

const FAST_LEASE = { heartbeatMs: 200, leaseMs: 2_000 };

describe("queue executor", () => {
  it("two workers drain one run, computing every step once, downstream after upstream", async () => {
    const defs = definitions();
    const queued = await enqueueRun(defs, { instance, selection: "a,b,total", partitions: "all" });
    expect(queued).toMatchObject({ totalSteps: 41, enqueued: 20, queue: "default" });
    expect(instance.storage.getRun(queued.runId)?.status).toBe("queued");

    const [w1, w2] = await Promise.all([
      runWorker({ defs, instance, concurrency: 4, once: true, lease: FAST_LEASE }),
      runWorker({ defs, instance, concurrency: 4, once: true, lease: FAST_LEASE }),
    ]);
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    expect(calls.size).toBe(41);
    expect(w1.succeeded + w2.succeeded).toBe(41);
    expect(w1.ended).toBe("drained");

    const summary = await followRun(instance, queued.runId, { pollMs: 20 });
    expect(summary).toMatchObject({
      status: "succeeded",
      totalSteps: 41,
      succeeded: 41,
      failed: 0,
      skipped: 0,
    });
    const run = instance.storage.getRun(queued.runId);
    expect(run?.tags).toMatchObject({ executor: "queue", succeeded: "41", failed: "0" });
    // Each step recorded once, in the queued run; b's value read a's output.
    const events = instance.storage.getEvents(queued.runId, { types: ["materialization"] });
    expect(events).toHaveLength(41);
    expect(JSON.parse(fs.readFileSync(path.join(home, "data", "b", "k07.json"), "utf8"))).toBe("k07!");
    // The workers' own runs ended and hold nothing.
    for (const w of [w1, w2]) expect(instance.storage.getRun(w.workerRun)?.status).toBe("succeeded");
  });

  it("a failed step skips its downstream, the rest completes, the run ends failed", async () => {
    const defs = definitions("k03");
    const queued = await enqueueRun(defs, { instance, selection: "a,b,total", partitions: "all" });
    const worker = await runWorker({ defs, instance, concurrency: 4, once: true, lease: FAST_LEASE });
    expect(worker.failed).toBe(1);
    expect(calls.get("b[k03]")).toBeUndefined();
    expect(calls.get("total")).toBeUndefined();
    expect(calls.get("b[k04]")).toBe(1);
    const summary = await followRun(instance, queued.runId, { pollMs: 20 });
    expect(summary).toMatchObject({ status: "failed", succeeded: 38, failed: 1, skipped: 2 });
    expect(summary?.failures).toEqual([{ assetKey: "a", partitionKey: "k03", error: "no value for k03" }]);
    const skipped = instance.storage.getEvents(queued.runId, { types: ["step_skipped"] });
    expect(skipped.map((e) => `${e.assetKey}[${e.partitionKey ?? ""}]`).sort()).toEqual([
      "b[k03]",
      "total[]",
    ]);
  });

  it("a failed blocking check stops the partition's downstream on the queue too", async () => {
    const defs = definitions(undefined, "k05");
    const queued = await enqueueRun(defs, { instance, selection: "a,b,total", partitions: "all" });
    await runWorker({ defs, instance, concurrency: 4, once: true, lease: FAST_LEASE });
    expect(calls.get("a[k05]")).toBe(1);
    expect(calls.get("b[k05]")).toBeUndefined();
    expect(calls.get("b[k06]")).toBe(1);
    expect(calls.get("total")).toBeUndefined();
    const summary = await followRun(instance, queued.runId, { pollMs: 20 });
    expect(summary).toMatchObject({ status: "failed", succeeded: 39, failed: 0, skipped: 2 });
    expect(summary?.checks).toEqual({
      passed: 19,
      warned: 0,
      failed: 1,
      failures: [
        {
          assetKey: "a",
          partitionKey: "k05",
          checkName: "accepted",
          severity: "error",
          blocking: true,
          description: "rejected",
        },
      ],
    });
    expect(instance.storage.summarizeCheckResults("a")).toMatchObject([
      { checkName: "accepted", passed: 19, failed: 1, blocking: 1 },
    ]);
  });

  it("a missing run re-enqueued over finished steps computes only what is missing", async () => {
    const defs = definitions();
    await enqueueRun(defs, { instance, selection: "a", partitions: { keys: KEYS.slice(0, 5) } });
    await runWorker({ defs, instance, concurrency: 2, once: true, lease: FAST_LEASE });
    const second = await enqueueRun(defs, { instance, selection: "a", partitions: "missing" });
    expect(second.totalSteps).toBe(15);
    await runWorker({ defs, instance, concurrency: 2, once: true, lease: FAST_LEASE });
    expect(calls.size).toBe(20);
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    expect((await followRun(instance, second.runId, { pollMs: 20 }))?.status).toBe("succeeded");
  });

  it("cancel removes the queued jobs: a worker started afterwards computes nothing", async () => {
    const defs = definitions();
    const queued = await enqueueRun(defs, { instance, selection: "a,b,total", partitions: "all" });
    const canceled = await cancelQueuedRun(instance, queued.runId);
    expect(canceled).toEqual({ runId: queued.runId, canceledSteps: 41, removedJobs: 20 });
    const worker = await runWorker({ defs, instance, concurrency: 2, once: true, lease: FAST_LEASE });
    expect(calls.size).toBe(0);
    expect(worker.succeeded).toBe(0);
    expect(instance.storage.getRun(queued.runId)?.status).toBe("canceled");
    await expect(cancelQueuedRun(instance, queued.runId)).rejects.toThrow(/already ended canceled/);
  });

  it("jobs a killed worker's pool had fetched ahead are enqueued again once its run is over, each step computed once", async () => {
    const defs = definitions();
    const queued = await enqueueRun(defs, { instance, selection: "a", partitions: "all" });
    // What a worker killed right after its pool fetched every job ahead leaves behind: the
    // jobs locked by its pool, their steps not taken, its run over.
    const storage = instance.storage as PostgresStorage;
    const conn = storage.connection;
    const workerSchema = `${conn.target.schema}_graphile_worker`;
    storage.createRun({
      runId: "killed-worker",
      status: "started",
      selection: "worker (queue default)",
      partitionsSummary: "queued steps",
      stepCount: 0,
      pid: process.pid,
      host: "killed-host",
      tags: { executor: "queue-worker" },
      leaseMs: 60_000,
    });
    conn.query(
      "INSERT INTO queue_worker_pools (pool_id, worker_run) VALUES ('pool-of-killed', 'killed-worker')",
    );
    const locked = conn.query(
      `UPDATE "${workerSchema}"._private_jobs SET locked_by = 'pool-of-killed', locked_at = now()`,
    );
    expect(locked.rowCount).toBe(KEYS.length);
    const before = await runWorker({ defs, instance, concurrency: 4, once: true, lease: FAST_LEASE });
    // Its run still counts as alive: the jobs stay with it.
    expect(before.succeeded).toBe(0);

    storage.updateRun("killed-worker", { status: "interrupted" });
    const rescuer = await runWorker({ defs, instance, concurrency: 4, once: true, lease: FAST_LEASE });
    expect(rescuer.succeeded).toBe(KEYS.length);
    expect(calls.size).toBe(KEYS.length);
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    expect((await followRun(instance, queued.runId, { pollMs: 20 }))?.status).toBe("succeeded");
    expect(conn.query("SELECT pool_id FROM queue_worker_pools").rows).toEqual([]);
  });

  it("a worker that does not see the enqueuer's data root is refused before running anything", async () => {
    const defs = definitions();
    const shared = path.join(home, "shared");
    const elsewhere = path.join(home, "elsewhere");
    fs.mkdirSync(shared);
    fs.mkdirSync(elsewhere);
    await enqueueRun(defs, { instance, selection: "a", partitions: { keys: ["k00"] }, sharedRoot: shared });
    expect(fs.readFileSync(path.join(shared, SHARED_ROOT_MARKER), "utf8")).toMatch(/^[0-9a-f-]{36}\n$/);

    const refused = await runWorker({ defs, instance, once: true, sharedRoot: elsewhere }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(QueueError);
    expect((refused as QueueError).code).toBe("SHARED_ROOT_MISMATCH");
    expect((refused as QueueError).message).toContain(elsewhere);
    const missing = await runWorker({
      defs,
      instance,
      once: true,
      sharedRoot: path.join(home, "nope"),
    }).catch((e: unknown) => e);
    expect((missing as QueueError).code).toBe("SHARED_ROOT_MISSING");
    expect(calls.size).toBe(0);

    const worker = await runWorker({ defs, instance, once: true, sharedRoot: shared, lease: FAST_LEASE });
    expect(worker.succeeded).toBe(1);
  });

  it("refuses an instance on SQLite, saying how to get PostgreSQL", async () => {
    const sqlite = openInstance(path.join(home, "sqlite"));
    try {
      const err = await enqueueRun(definitions(), {
        instance: sqlite,
        selection: "a",
        partitions: "all",
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QueueError);
      expect((err as QueueError).code).toBe("QUEUE_NEEDS_POSTGRES");
      expect((err as QueueError).hint).toMatch(/ASSETS_STORAGE=postgres:\/\//);
    } finally {
      sqlite.close();
    }
  });
});
