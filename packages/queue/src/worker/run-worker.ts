import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import os from "node:os";
import {
  type Definitions,
  type Instance,
  type LeaseSettings,
  leaseSettings,
  RunClusterSlots,
  type RunProgressEvent,
  type RunSummary,
} from "@daydream/core";
import {
  AssetGraph,
  checkResourceUser,
  DEFAULT_CONCURRENCY,
  EventRecorder,
  openResources,
  openRunLog,
  PartitionLookups,
  type RunLog,
} from "@daydream/core/executor";
import type { JobHelpers, WorkerEvents } from "graphile-worker";
import { deferredSettlements } from "../open-queue-storage.ts";
import { QueueError } from "../queue-errors.ts";
import { requirePostgres } from "../queue-storage.ts";
import { verifySharedRoot } from "../root-marker.ts";
import { ensureQueueSchema, quietLogger } from "../schema/ensure-schema.ts";
import { DEFAULT_QUEUE, isQueueName, type JobEntry, taskOf } from "../steps/jobs.ts";
import { type Settlement, type StepOutcome, settleSteps } from "../steps/settle.ts";
import {
  forgetWorkerPool,
  type OpenStep,
  pendingJobs,
  recordWorkerPool,
  requeueOrphans,
  requeueSteps,
  takeOpenStepsOfJobs,
} from "../steps/step-rows.ts";
import { PreClaims } from "./pre-claims.ts";
import { runStep, type StepContext } from "./step-job.ts";
import { TurnBatch, TurnRequests } from "./turn-batch.ts";

export interface WorkerOptions {
  defs: Definitions;
  /** Its storage must be a PostgresStorage opened with `queueStorageOptions` (see open-queue-storage.ts). */
  instance: Instance;
  /** Steps computed at once (default 8). */
  concurrency?: number;
  /** Take only the steps of runs enqueued with this queue (default "default"). */
  queue?: string;
  /** The data root shared with the enqueuer (checked by a marker file before any step runs). */
  sharedRoot?: string;
  /** Drain what is queued, then return. */
  once?: boolean;
  /** Stop: no new steps; running ones get `graceMs` to finish, then are aborted and requeued. */
  signal?: AbortSignal;
  graceMs?: number;
  lease?: Partial<LeaseSettings>;
  /** How long a step another run holds waits before it is asked for again (default 2 s). */
  heldRetryMs?: number;
  onEvent?(event: WorkerEvent): void;
}

export type WorkerEvent =
  | { type: "started"; workerRun: string; queue: string; concurrency: number }
  | { type: "step"; run: string; event: RunProgressEvent }
  | { type: "requeued"; run: string; step: string; reason: string }
  | { type: "stopping"; inFlight: number; graceMs: number };

export interface WorkerSummary {
  workerRun: string;
  /** Steps computed here, by outcome. */
  succeeded: number;
  failed: number;
  skipped: number;
  /** Found materialized by someone else when claimed: not computed again. */
  doneElsewhere: number;
  /** Handed back to the queue (held elsewhere, or stopped by shutdown). */
  requeued: number;
  /** How the worker ended: drained (`--once`), stopped by its signal, or lost its lease. */
  ended: "drained" | "stopped" | "lease-lost";
}

const DEFAULT_GRACE_MS = 30_000;
const DRAIN_POLL_MS = 500;
const LOCAL_QUEUE_TTL_MS = 30_000;

interface InFlight {
  steps: OpenStep[];
  controller: AbortController;
}

/**
 * `assets worker`: takes step jobs of queued runs from graphile-worker and computes each like the
 * in-process executor, under its own leased run (its claims die with it: a worker that crashes
 * loses its steps to the others after the lease). Downstream steps are enqueued by the
 * transaction that records a success (the storage's append hook), so a crash never loses them.
 */
export async function runWorker(opts: WorkerOptions): Promise<WorkerSummary> {
  const storage = requirePostgres(opts.instance.storage, "assets worker");
  const queue = opts.queue ?? DEFAULT_QUEUE;
  if (!isQueueName(queue)) {
    throw new QueueError("INVALID_QUEUE", `queue name ${JSON.stringify(queue)} is not valid`, {
      hint: "use letters, digits, '_' or '-' (at most 64), e.g. --queue gpu",
    });
  }
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const lease = leaseSettings(opts.lease);
  const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
  const heldRetryMs = opts.heldRetryMs ?? 2_000;
  const deferred = deferredSettlements(storage);
  if (deferred === undefined) {
    throw new QueueError(
      "WORKER_STORAGE",
      "the worker's instance storage was not opened with openQueueStorage",
      {
        userError: false,
        hint: "open it with openInstance(home, { storage: openQueueStorage(url) }): its append hook enqueues downstream steps",
      },
    );
  }
  const workerSchema = await ensureQueueSchema(storage);
  if (opts.sharedRoot !== undefined) verifySharedRoot(storage, opts.sharedRoot);
  const conn = storage.connection;
  const graph = AssetGraph.of(opts.defs);
  const assets = [...opts.defs.assets.values()];
  const checks = [...(opts.defs.checks?.values() ?? [])].flat();
  for (const check of checks) if (check.blocking && check.severity === "error") deferred.add(check.asset);
  // Cluster-wide slots (e.g. LLM calls per model across workers) are held by the worker's run.
  const clusterSlots = new RunClusterSlots(storage);
  const resources = await openResources(opts.defs, [...assets, ...checks.map(checkResourceUser)], {
    concurrency,
    emit: (event) => opts.onEvent?.({ type: "step", run: "", event }),
    clusterSlots,
  });

  const workerRun = randomUUID();
  storage.createRun({
    runId: workerRun,
    status: "started",
    selection: `worker (queue ${queue})`,
    partitionsSummary: "queued steps",
    stepCount: 0,
    pid: process.pid,
    host: os.hostname(),
    tags: { executor: "queue-worker", queue, concurrency: String(concurrency) },
    leaseMs: lease.leaseMs,
  });
  clusterSlots.bind(workerRun);
  opts.onEvent?.({ type: "started", workerRun, queue, concurrency });

  const summary: WorkerSummary = {
    workerRun,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    doneElsewhere: 0,
    requeued: 0,
    ended: "drained",
  };
  const logs = new Map<string, Promise<RunLog>>();
  const recorders = new Map<string, EventRecorder>();
  const inFlight = new Set<InFlight>();
  const preClaims = new PreClaims(storage, workerRun);
  const ctx: StepContext = {
    defs: opts.defs,
    graph,
    instance: preClaims.instanceView(opts.instance),
    resources,
    lookups: new PartitionLookups(),
    workerRun,
    recorderOf: (runId) => {
      let recorder = recorders.get(runId);
      if (!recorder) {
        recorder = new EventRecorder(storage, runId, {
          claimsRunId: workerRun,
          // The steps waiting on this batch fail with the error; the batch stays for the next flush.
          onError: (err) =>
            process.emitWarning(`could not record events of run ${runId}: ${(err as Error).message}`),
        });
        recorders.set(runId, recorder);
      }
      return recorder;
    },
    runLogOf: (runId) => {
      let log = logs.get(runId);
      if (!log) {
        log = openRunLog(opts.instance.logPathFor(runId), runId);
        logs.set(runId, log);
      }
      return log;
    },
  };

  const { run } = await import("graphile-worker");
  // Jobs this worker's pool locked (fetched ahead into its local queue, or taken and not yet
  // marked complete) are no longer "available", yet still to do: draining waits for them.
  let poolId: string | undefined;
  const events = new EventEmitter() as WorkerEvents;
  events.on("pool:create", ({ workerPool }) => {
    poolId = workerPool.id;
    // Before the pool fetches anything: were this process killed, the jobs it fetched ahead
    // are found by the pool's id and enqueued again (requeueOrphans).
    recordWorkerPool(conn, poolId, workerRun);
  });
  let stopping = false;
  const handle = async (payload: unknown, helpers: JobHelpers): Promise<void> => {
    const steps = await takes.ask(jobEntries(payload, helpers.job.id));
    if (steps.length === 0) return;
    const job: InFlight = { steps, controller: new AbortController() };
    if (stopping) {
      preClaims.release(steps[0]);
      requeue(job, 0, "the worker is stopping");
      return;
    }
    const lead = steps[0];
    inFlight.add(job);
    try {
      // A step this run materialized already (a worker died before settling it) is not computed again.
      if (lead.doneByRun) {
        summary.doneElsewhere++;
        await settle(job.steps, "succeeded");
        return;
      }
      const result = await runStep(
        { ...ctx, onProgress: (event) => opts.onEvent?.({ type: "step", run: lead.run, event }) },
        lead,
        job.controller.signal,
      );
      await settleJob(job, result);
    } finally {
      // Only once settled: draining (--once) must not end with a settlement still to write.
      inFlight.delete(job);
      preClaims.release(lead);
    }
  };

  /** Records what became of the job's steps; the lead step's success or failure is already settled by its event. */
  const settleJob = (job: InFlight, result: RunSummary): Promise<void> => {
    const [lead, ...others] = job.steps;
    let outcome: StepOutcome | "requeue-held" | "requeue";
    if (result.succeeded > 0) outcome = "succeeded";
    else if (result.doneElsewhere > 0) outcome = "succeeded";
    else if (result.failed > 0) outcome = "failed";
    else if (result.held > 0) outcome = "requeue-held";
    else if (job.controller.signal.aborted) outcome = "requeue";
    else outcome = "skipped";
    if (outcome === "requeue-held") {
      requeue(job, heldRetryMs, "held by another run");
      return Promise.resolve();
    }
    if (outcome === "requeue") {
      requeue(job, 0, "stopped by the worker's shutdown");
      return Promise.resolve();
    }
    if (result.succeeded > 0) summary.succeeded++;
    else if (result.doneElsewhere > 0) summary.doneElsewhere++;
    else if (outcome === "failed") summary.failed++;
    else summary.skipped++;
    // The lead's success or failure was settled with its event, unless its asset's successes are
    // deferred to after its checks; the other runs' entries of a collapsed job are settled here.
    const leadSettled = result.failed > 0 || (result.succeeded > 0 && !deferred.has(lead.assetKey));
    return settle(leadSettled ? others : [lead, ...others], outcome);
  };

  const takes = new TurnRequests<readonly JobEntry[], OpenStep[]>((jobs) => {
    const taken = takeOpenStepsOfJobs(conn, jobs, workerRun);
    // The step each job computes (its lead), claimed for all of them at once.
    preClaims.claim(taken.flatMap((steps) => (steps.length > 0 && !steps[0].doneByRun ? [steps[0]] : [])));
    return taken;
  });
  const settlements = new TurnBatch<Settlement>((batch) =>
    conn.transaction("settle jobs", () => settleSteps(conn, workerSchema, batch)),
  );
  const settle = (steps: readonly OpenStep[], outcome: StepOutcome): Promise<void> =>
    settlements.add(
      steps.map(
        (s): Settlement => ({ run: s.run, assetKey: s.assetKey, partitionKey: s.partitionKey, outcome }),
      ),
    );

  const requeue = (job: InFlight, delayMs: number, reason: string): void => {
    requeueSteps(conn, workerSchema, job.steps, delayMs);
    summary.requeued += job.steps.length;
    for (const s of job.steps) {
      opts.onEvent?.({ type: "requeued", run: s.run, step: label(s), reason });
    }
  };

  const runner = await run({
    connectionString: conn.target.connectionString,
    schema: workerSchema,
    concurrency,
    noHandleSignals: true,
    pollInterval: 1_000,
    taskList: { [taskOf(queue)]: handle },
    parsedCronItems: [],
    logger: await quietLogger(),
    events,
    // Jobs are fetched ahead a batch at a time and completions written together: one job fetch
    // and one completion per step were a third of the statements a step cost. (Jobs carry no
    // graphile-worker queue name, so the local queue's known trouble with those does not apply.)
    // Fetched jobs that wait longer than LOCAL_QUEUE_TTL_MS for a slot go back to the database,
    // so a worker busy with slow steps does not keep them from an idle one.
    preset: {
      worker: {
        localQueue: { size: concurrency, ttl: LOCAL_QUEUE_TTL_MS },
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
      },
    },
  });

  let resolveDone: (ended: WorkerSummary["ended"]) => void = () => {};
  const done = new Promise<WorkerSummary["ended"]>((resolve) => {
    resolveDone = resolve;
  });
  const heartbeat = setInterval(() => {
    try {
      if (!storage.heartbeatRun(workerRun, lease.leaseMs)) {
        abortAll();
        resolveDone("lease-lost");
        return;
      }
      storage.markDeadRunsInterrupted();
      requeueOrphans(conn, workerSchema);
      abortCanceled();
    } catch (err) {
      process.emitWarning(`worker heartbeat failed (retrying at the next one): ${(err as Error).message}`);
    }
  }, lease.heartbeatMs);
  heartbeat.unref();

  const abortAll = (): void => {
    for (const job of inFlight) job.controller.abort(new Error("worker stopped"));
  };
  /** Steps of runs canceled meanwhile stop at once. */
  const abortCanceled = (): void => {
    if (inFlight.size === 0) return;
    const runs = [...new Set([...inFlight].flatMap((j) => j.steps.map((s) => s.run)))];
    const { rows } = conn.query<{ run_id: string }>(
      "SELECT run_id FROM runs WHERE run_id = ANY($1::text[]) AND status = 'canceled'",
      [runs],
      "find canceled runs",
    );
    const canceled = new Set(rows.map((r) => r.run_id));
    for (const job of inFlight) {
      if (job.steps.every((s) => canceled.has(s.run))) job.controller.abort(new Error("run canceled"));
    }
  };

  const onStop = (): void => resolveDone("stopped");
  if (opts.signal?.aborted) onStop();
  else opts.signal?.addEventListener("abort", onStop, { once: true });
  const drain = opts.once
    ? setInterval(() => {
        try {
          if (inFlight.size > 0 || poolId === undefined) return;
          if (pendingJobs(conn, workerSchema, taskOf(queue), poolId) === 0) {
            requeueOrphans(conn, workerSchema);
            if (pendingJobs(conn, workerSchema, taskOf(queue), poolId) === 0) resolveDone("drained");
          }
        } catch (err) {
          process.emitWarning(`could not count pending jobs (retrying): ${(err as Error).message}`);
        }
      }, DRAIN_POLL_MS)
    : undefined;

  try {
    summary.ended = await Promise.race([done, runner.promise.then(() => "stopped" as const)]);
  } finally {
    opts.signal?.removeEventListener("abort", onStop);
    if (drain) clearInterval(drain);
    stopping = true;
    opts.onEvent?.({ type: "stopping", inFlight: inFlight.size, graceMs });
    const grace = setTimeout(abortAll, inFlight.size === 0 ? 0 : graceMs);
    await runner.stop();
    clearTimeout(grace);
    clearInterval(heartbeat);
    clusterSlots.unbind();
    // Stopped: the pool gave its fetched-ahead jobs back.
    if (poolId !== undefined) forgetWorkerPool(conn, poolId);
    storage.releaseSteps(workerRun);
    storage.updateRun(workerRun, {
      status: summary.ended === "lease-lost" ? "interrupted" : "succeeded",
      tags: {
        executor: "queue-worker",
        queue,
        concurrency: String(concurrency),
        succeeded: String(summary.succeeded),
        failed: String(summary.failed),
        skipped: String(summary.skipped),
        doneElsewhere: String(summary.doneElsewhere),
        requeued: String(summary.requeued),
      },
    });
    for (const recorder of recorders.values()) recorder.flush();
    for (const log of logs.values()) await (await log).close();
    await resources.dispose();
  }
  return summary;
}

function label(step: OpenStep): string {
  return step.partitionKey === "" ? step.assetKey : `${step.assetKey}[${step.partitionKey}]`;
}

/** A job's payload: the queued-run entries merged under its key. */
function jobEntries(payload: unknown, jobId: string): JobEntry[] {
  const list = Array.isArray(payload) ? payload : [payload];
  const entries = list.filter((e): e is JobEntry => typeof e?.run === "string" && Number.isInteger(e?.node));
  if (entries.length !== list.length) {
    throw new QueueError("BAD_JOB", `job ${jobId} has a payload that is not a list of {run, node}`, {
      context: { job: jobId },
      hint: "jobs of assets_step tasks are added by `assets materialize --executor queue` only",
    });
  }
  return entries;
}
