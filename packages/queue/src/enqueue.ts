import { randomUUID } from "node:crypto";
import os from "node:os";
import type { Definitions, MaterializeOptions, RunInstance } from "@daydream/core";
import { type Plan, prepareRun } from "@daydream/core/executor";
import type { PostgresStorage } from "@daydream/postgres";
import { QueueError } from "./queue-errors.ts";
import { requirePostgres } from "./queue-storage.ts";
import { verifySharedRoot } from "./root-marker.ts";
import { ensureQueueSchema } from "./schema/ensure-schema.ts";
import { addStepJobs, DEFAULT_QUEUE, isQueueName, type StepJob } from "./steps/jobs.ts";

export interface EnqueueOptions
  extends Pick<
    MaterializeOptions,
    "selection" | "partitions" | "runConfig" | "checks" | "recordVersions" | "onProgress"
  > {
  instance: RunInstance;
  /** Only workers started with this `--queue` take the run's steps (default "default"). */
  queue?: string;
  /** The data root every worker must see too (checked by a marker file): see verifySharedRoot. */
  sharedRoot?: string;
}

export interface EnqueuedRun {
  runId: string;
  totalSteps: number;
  /** Steps enqueued at once (those with no upstream step in the run). */
  enqueued: number;
  queue: string;
}

/**
 * Plans a run as `materialize` would, records it `queued` with its plan, and enqueues its ready
 * steps as graphile-worker jobs, all in one transaction: workers (`assets worker`) run the steps,
 * each step's success enqueuing its downstream. Nothing runs here.
 */
export async function enqueueRun(defs: Definitions, opts: EnqueueOptions): Promise<EnqueuedRun> {
  const storage = requirePostgres(opts.instance.storage, "the queue executor");
  const queue = opts.queue ?? DEFAULT_QUEUE;
  if (!isQueueName(queue)) {
    throw new QueueError("INVALID_QUEUE", `queue name ${JSON.stringify(queue)} is not valid`, {
      hint: "use letters, digits, '_' or '-' (at most 64), e.g. --queue gpu",
    });
  }
  const prepared = await prepareRun(defs, { ...opts, instance: opts.instance });
  const { plan, selection, partitionsSummary, recheck } = prepared.executeArgs;
  await prepared.dispose();
  const workerSchema = await ensureQueueSchema(storage);
  if (opts.sharedRoot !== undefined) verifySharedRoot(storage, opts.sharedRoot);
  const runId = randomUUID();
  const enqueued = storage.connection.transaction("enqueue run", () => {
    storage.createRun({
      runId,
      status: "queued",
      selection,
      partitionsSummary,
      stepCount: plan.steps.length,
      pid: process.pid,
      host: os.hostname(),
      tags: { executor: "queue", queue },
      leaseMs: null,
    });
    storage.appendEvents([
      {
        runId,
        type: "run_start",
        assetKey: null,
        partitionKey: null,
        timestamp: new Date().toISOString(),
        message: selection,
      },
    ]);
    storage.connection.query(
      "INSERT INTO queue_runs (run_id, queue_name, recheck, checks, run_config, open_nodes) VALUES ($1, $2, $3, $4, $5, $6)",
      [
        runId,
        queue,
        recheck ?? false,
        opts.checks !== false,
        opts.runConfig === undefined ? null : JSON.stringify(opts.runConfig),
        plan.upstream.length,
      ],
      "record queued run",
    );
    const ready = insertPlan(storage, runId, plan, queue);
    addStepJobs(storage.connection, workerSchema, ready);
    if (plan.upstream.length === 0) {
      storage.appendEvents([
        {
          runId,
          type: "run_end",
          assetKey: null,
          partitionKey: null,
          timestamp: new Date().toISOString(),
          message: "succeeded",
        },
      ]);
      storage.updateRun(runId, { status: "succeeded" });
    }
    return ready.length;
  });
  return { runId, totalSteps: plan.steps.length, enqueued, queue };
}

/** Writes every node of the plan; returns the steps to enqueue now. */
function insertPlan(storage: PostgresStorage, runId: string, plan: Plan, queue: string): StepJob[] {
  const nodes = plan.upstream.length;
  const downstream: number[][] = Array.from({ length: nodes }, () => []);
  plan.upstream.forEach((ups, node) => {
    for (const u of ups) downstream[u].push(node);
  });
  const stepCount = plan.steps.length;
  // One JSON document rather than arrays: node-postgres escapes array parameters in JavaScript.
  const doc: { a: string | null; p: string | null; s: string; w: number; d: string }[] = [];
  const ready: StepJob[] = [];
  for (let node = 0; node < nodes; node++) {
    const step = node < stepCount ? plan.steps[node] : undefined;
    const isReady = plan.upstream[node].length === 0;
    doc.push({
      a: step?.assetKey ?? null,
      p: step ? (step.partitionKey ?? "") : null,
      s: isReady ? "queued" : "waiting",
      w: plan.upstream[node].length,
      d: downstream[node].join(","),
    });
    if (step && isReady) {
      ready.push({ run: runId, node, assetKey: step.assetKey, partitionKey: step.partitionKey ?? "", queue });
    }
  }
  storage.connection.query(
    `INSERT INTO queue_steps (run_id, node, asset_key, partition_key, status, waiting_on, downstream)
     SELECT $1, n - 1, a, p, s, w, string_to_array(d, ',')::int[]
     FROM ROWS FROM (json_to_recordset($2::json) AS (a text, p text, s text, w int, d text)) WITH ORDINALITY AS x(a, p, s, w, d, n)`,
    [runId, JSON.stringify(doc)],
    "record the run's plan",
  );
  return ready;
}
