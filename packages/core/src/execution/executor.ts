import { randomUUID } from "node:crypto";
import os from "node:os";
import type { PGraph, PGraphNode } from "p-graph";
import type { LevelWithSilent } from "pino";
import type { AssetCheckDefinition } from "../definitions/check-types.ts";
import type { AssetDefinition, Definitions } from "../definitions/types.ts";
import { StorageError } from "../errors.ts";
import { AssetGraph } from "../graph/asset-graph.ts";
import { type LeaseSettings, leaseSettings } from "../instance/leases.ts";
import type { RunStatus } from "../instance/types.ts";
import { RunChecks } from "./checks/run-checks.ts";
import type { ClusterSlotsBinding } from "./cluster-slots.ts";
import { computeInstance } from "./context.ts";
import { EventRecorder } from "./events/recorder.ts";
import { openRunLog, type RunLog } from "./logging.ts";
import { PartitionLookups } from "./partition-lookups.ts";
import { Permits } from "./permits.ts";
import type { Plan } from "./plan.ts";
import type { RunInstance } from "./run-instance.ts";
import { StepClaims } from "./step-claims.ts";
import { StepRunner } from "./step-runner.ts";
import type { RunProgressEvent, RunSummary } from "./types.ts";
import { CodeVersions } from "./versions/code-versions.ts";
import { RunVersions } from "./versions/run-versions.ts";

export const DEFAULT_CONCURRENCY = 8;

export interface ExecuteArgs {
  defs: Definitions;
  plan: Plan;
  instance: RunInstance;
  /** The selection string as typed, for the run record. */
  selection: string;
  partitionsSummary: string;
  configFor(asset: AssetDefinition<unknown>): Record<string, unknown>;
  resourcesFor(asset: AssetDefinition<unknown>): Record<string, unknown>;
  /**
   * Evaluate the asset checks of each materialized partition and hold back the downstream of
   * partitions failing a blocking check (default true). The resources each check declared.
   */
  checks?: { enabled: boolean; resourcesFor(check: AssetCheckDefinition): Record<string, unknown> };
  /** The partition mappings the plan was built with (loaded once per run). */
  lookups?: PartitionLookups;
  /** Record code and data versions with each materialization, for staleness (default true). */
  recordVersions?: boolean;
  concurrency?: number;
  failFast?: boolean;
  /** Check again, in each step's claim, whether it got materialized since planning (`missing`). */
  recheck?: boolean;
  /** Wait for steps other live runs hold instead of leaving them to those runs. */
  waitForHeld?: boolean;
  /** Heartbeat and lease; default from ASSETS_HEARTBEAT_SECONDS / ASSETS_LEASE_SECONDS. */
  lease?: Partial<LeaseSettings>;
  signal?: AbortSignal;
  onProgress?: (event: RunProgressEvent) => void;
  logLevel?: LevelWithSilent;
  /**
   * Run the plan as a part of a run recorded elsewhere (a queue worker running one step of a
   * queued run): events go to `runId`, claims are held by `claimsRunId` (the worker's own run,
   * whose lease the worker renews), and the run record, its start and end are left alone.
   */
  attach?: {
    runId: string;
    claimsRunId: string;
    runLog: RunLog;
    /**
     * A recorder the caller shares between the plans it runs at once for this run (claims
     * released for `claimsRunId`): their events go in common batches, and each plan ends once
     * the batch holding its events is written.
     */
    recorder?: EventRecorder;
  };
  /** The cluster slots the run's resources were given: bound to the run holding the claims. */
  clusterSlots?: ClusterSlotsBinding;
}

type StopReason = "signal" | "fail-fast" | "storage" | "lease";

const NOT_STARTED: Record<StopReason, string> = {
  signal: "run canceled before this step started",
  "fail-fast": "not started: the run stopped at the first failure (fail-fast)",
  storage: "not started: the run stopped because the instance storage failed",
  lease: "not started: the run lost its lease (another process found it silent and marked it interrupted)",
};

/** The abort reason running computes see on `ctx.signal.reason`. */
const ABORT_REASON: Record<StopReason, string> = {
  signal: "run canceled",
  "fail-fast": "run stopped after a failed step (fail-fast)",
  storage: "run stopped: the instance storage failed",
  lease: "run stopped: its lease expired and its claims may belong to another run now",
};

/**
 * Steps p-graph may have started beyond those computing: room for steps that wait for another
 * run's claim (they hold no permit) without starving the run of work.
 */
function schedulerSlots(concurrency: number): number {
  return concurrency + Math.max(concurrency, 32);
}

/**
 * p-graph wants string ids and a dependency list; node ids are plan indices. Earlier steps get
 * higher priority so ready steps start in plan order (partitions in registration order).
 */
async function graphOf(plan: Plan): Promise<PGraph> {
  // Loaded on first run only, like pino: commands that never materialize start faster.
  const { PGraph } = await import("p-graph");
  const barrier: PGraphNode = {};
  const nodes = new Map<string, PGraphNode>();
  const dependencies: [string, string][] = [];
  const stepCount = plan.steps.length;
  plan.upstream.forEach((ups, i) => {
    const id = String(i);
    nodes.set(id, i < stepCount ? { priority: stepCount - i } : barrier);
    for (const u of ups) dependencies.push([String(u), id]);
  });
  return new PGraph(nodes, dependencies);
}

/**
 * A run with steps that declined to start did not do what it planned: it ends failed. So does
 * one with skipped steps: their upstream failed, or a blocking check held them back (as the
 * queue executor ends such runs, and as Dagster fails a run on a blocking check).
 */
function finalStatus(
  stopped: StopReason | undefined,
  counts: { failed: number; notStarted: number; skipped: number },
): RunStatus {
  if (stopped === "signal") return "canceled";
  if (stopped === "lease") return "interrupted";
  const incomplete = counts.failed > 0 || counts.notStarted > 0 || counts.skipped > 0;
  return incomplete || stopped === "storage" ? "failed" : "succeeded";
}

/** Runs a plan as one recorded run: run record, batched events, claims, per-run log, summary. */
export async function executePlan(args: ExecuteArgs): Promise<RunSummary> {
  const { plan, instance } = args;
  const storage = instance.storage;
  const concurrency = args.concurrency ?? DEFAULT_CONCURRENCY;
  const lease = leaseSettings(args.lease);
  const attach = args.attach;
  const runId = attach?.runId ?? randomUUID();
  const claimsRunId = attach?.claimsRunId ?? runId;
  const logPath = instance.logPathFor(runId);
  const started = performance.now();
  const graph = await graphOf(plan);

  const runLog = attach?.runLog ?? (await openRunLog(logPath, runId, args.logLevel));
  try {
    if (!attach)
      storage.createRun({
        runId,
        status: "started",
        selection: args.selection,
        partitionsSummary: args.partitionsSummary,
        stepCount: plan.steps.length,
        pid: process.pid,
        host: os.hostname(),
        tags: { concurrency: String(concurrency), failFast: String(args.failFast ?? false) },
        leaseMs: lease.leaseMs,
      });
  } catch (err) {
    if (!attach) await runLog.close();
    throw err;
  }

  args.clusterSlots?.bind(claimsRunId);
  const controller = new AbortController();
  let stopped: StopReason | undefined;
  let storageFailure: unknown;
  const stop = (reason: StopReason, err?: unknown): void => {
    if (reason === "storage" && storageFailure === undefined) storageFailure = err;
    if (stopped) return;
    stopped = reason;
    runLog.logger.warn({ reason, err }, "stopping the run");
    controller.abort(new Error(ABORT_REASON[reason]));
  };
  const onAbort = (): void => stop("signal");
  if (args.signal?.aborted) onAbort();
  else args.signal?.addEventListener("abort", onAbort, { once: true });

  const emit = (event: RunProgressEvent): void => {
    if (!args.onProgress) return;
    try {
      args.onProgress(event);
    } catch (err) {
      runLog.logger.warn({ err, event: event.type }, "onProgress callback threw; the run goes on");
    }
  };
  const recorder =
    attach?.recorder ??
    new EventRecorder(storage, runId, {
      claimsRunId,
      onError: (err) => stop("storage", err),
    });
  const claims = new StepClaims(storage, claimsRunId, plan, concurrency, args.recheck ?? false);
  // The lease keeps this run's claims its own; losing it (a stall longer than the lease) stops the
  // run. An attached run's claims belong to its caller's run, which renews that lease itself.
  const heartbeat = attach
    ? undefined
    : setInterval(() => {
        try {
          if (!storage.heartbeatRun(runId, lease.leaseMs)) stop("lease");
        } catch (err) {
          // A storage that is gone (closed, timed out) will not come back: stop with its error.
          const code = (err as { code?: unknown }).code;
          if (code === "storage_closed" || code === "database_timeout") stop("storage", err);
          else
            runLog.logger.warn(
              { err },
              "could not renew the run's lease; trying again at the next heartbeat",
            );
        }
      }, lease.heartbeatMs);
  heartbeat?.unref();
  const checks = runChecksOf(args, runId, recorder);
  const versions = runVersionsOf(args);
  const runner = new StepRunner({
    defs: args.defs,
    plan,
    runId,
    claims,
    permits: new Permits(concurrency),
    waitForHeld: args.waitForHeld ?? false,
    latestRunOf: (assetKey, partitionKey) =>
      storage.getAssetPartitionState(assetKey, partitionKey)?.lastMaterialization?.runId,
    instance: computeInstance(instance),
    recorder,
    checks,
    versions,
    runLog,
    signal: controller.signal,
    failFast: args.failFast ?? false,
    configFor: args.configFor,
    resourcesFor: args.resourcesFor,
    emit,
    stop: (reason, err) => stop(reason, err),
    notStartedReason: () => NOT_STARTED[stopped ?? "signal"],
    canceledReason: () => ABORT_REASON[stopped ?? "signal"],
  });

  let status: RunStatus = "failed";
  try {
    if (!attach) {
      recorder.record({ type: "run_start", assetKey: null, partitionKey: null, message: args.selection });
    }
    runLog.logger.info({ selection: args.selection, steps: plan.steps.length, concurrency }, "run started");
    emit({ type: "planned", runId, totalSteps: plan.steps.length, logPath });
    // Step errors never escape the runner, so p-graph keeps scheduling independent steps.
    await graph.run({
      concurrency: schedulerSlots(concurrency),
      continue: true,
      run: (id) => runner.run(Number(id)),
    });
    status = finalStatus(stopped, runner);
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    claims.close();
    args.clusterSlots?.unbind();
    args.signal?.removeEventListener("abort", onAbort);
    const counts = {
      succeeded: runner.succeeded,
      failed: runner.failed,
      skipped: runner.skipped,
      canceled: runner.canceled,
      notStarted: runner.notStarted,
      held: runner.held,
      doneElsewhere: runner.doneElsewhere,
    };
    runLog.logger.info(
      { status, ...counts, duration_ms: Math.round(performance.now() - started) },
      "run finished",
    );
    try {
      if (attach) {
        // Claims taken ahead for steps the plan never reached go too.
        for (const step of plan.steps) recorder.release(step.assetKey, step.partitionKey);
        if (attach.recorder) await recorder.whenFlushed();
        else recorder.flush();
      } else {
        recorder.record({ type: "run_end", assetKey: null, partitionKey: null, message: status });
        recorder.flush();
        storage.releaseSteps(runId);
        storage.updateRun(runId, {
          status,
          endedAt: new Date().toISOString(),
          tags: {
            concurrency: String(concurrency),
            failFast: String(args.failFast ?? false),
            ...Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, String(v)])),
          },
        });
      }
    } catch (err) {
      storageFailure ??= err;
    }
    if (!attach) await runLog.close();
  }
  if (storageFailure !== undefined) {
    const why = storageFailure instanceof Error ? `: ${storageFailure.message.split("\n")[0]}` : "";
    throw new StorageError(
      "RUN_NOT_RECORDED",
      `run ${runId} could not be recorded in the instance storage${why}`,
      {
        context: { run: runId },
        hint: "check that the instance database is writable and the disk is not full; then rerun with --missing",
        cause: storageFailure,
        userError: false,
      },
    );
  }
  return {
    runId,
    status,
    totalSteps: plan.steps.length,
    succeeded: runner.succeeded,
    failed: runner.failed,
    skipped: runner.skipped,
    notStarted: runner.notStarted,
    ...(runner.notStartedReason === undefined ? {} : { notStartedReason: runner.notStartedReason }),
    canceled: runner.canceled,
    held: runner.held,
    heldBy: runner.heldSteps(),
    doneElsewhere: runner.doneElsewhere,
    durationMs: Math.round(performance.now() - started),
    failures: runner.failures,
    checks: {
      passed: checks?.passed ?? 0,
      warned: checks?.warned ?? 0,
      failed: checks?.failed ?? 0,
      failures: checks?.failures ?? [],
    },
    logPath,
  };
}

/** What the run's materializations record for staleness, unless disabled. */
function runVersionsOf(args: ExecuteArgs): RunVersions | undefined {
  if (args.recordVersions === false) return undefined;
  const codeVersions = new CodeVersions(args.resourcesFor);
  return new RunVersions(
    args.defs,
    args.instance.storage,
    args.lookups ?? new PartitionLookups(),
    codeVersions,
  );
}

/** Plans of at most this many steps look blocking failures up per partition (see RunChecksArgs). */
const PER_PARTITION_CHECK_READS = 8;

/** The run's checks, unless disabled or none of the definitions' assets has any. */
function runChecksOf(args: ExecuteArgs, runId: string, recorder: EventRecorder): RunChecks | undefined {
  if (args.checks?.enabled === false || (args.defs.checks?.size ?? 0) === 0) return undefined;
  return new RunChecks({
    defs: args.defs,
    graph: AssetGraph.of(args.defs),
    storage: args.instance.storage,
    lookups: args.lookups ?? new PartitionLookups(),
    runId,
    resourcesFor: args.checks?.resourcesFor ?? (() => ({})),
    record: (results) => recorder.recordChecks(results),
    readPerPartition: args.plan.steps.length <= PER_PARTITION_CHECK_READS,
  });
}
