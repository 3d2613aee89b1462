import type { SyncConnection } from "@daydream/postgres";
import { addStepJobs, type JobEntry, type StepJob } from "./jobs.ts";

/** A step of a queued run that a job asks a worker to compute. */
export interface OpenStep {
  run: string;
  node: number;
  assetKey: string;
  partitionKey: string;
  queue: string;
  recheck: boolean;
  checks: boolean;
  runConfig: string | null;
  /** The run already materialized the step (a worker died before settling it): nothing to compute. */
  doneByRun: boolean;
}

interface OpenRow {
  run_id: string;
  node: number;
  asset_key: string;
  partition_key: string;
  queue_name: string;
  recheck: boolean;
  checks: boolean;
  run_config: string | null;
  last_success_run_id?: string | null;
}

type JobRow = Pick<OpenRow, "run_id" | "node" | "asset_key" | "partition_key" | "queue_name">;

function jobOfRow(r: JobRow): StepJob {
  return {
    run: r.run_id,
    node: r.node,
    assetKey: r.asset_key,
    partitionKey: r.partition_key,
    queue: r.queue_name,
  };
}

/**
 * The job's entries whose step is still queued in a run still going, now marked as computed by
 * `workerRun` (their runs move from queued to started). Settled steps and canceled runs drop out:
 * a job that comes back (at-least-once delivery) finds nothing left to do.
 */
function takeOpenSteps(conn: SyncConnection, entries: readonly JobEntry[], workerRun: string): OpenStep[] {
  const { rows } = conn.query<OpenRow>(
    `WITH taken AS (
       UPDATE queue_steps q SET worker_run = $3
       FROM unnest($1::text[], $2::int[]) AS e(r, n), queue_runs qr, runs
       WHERE q.run_id = e.r AND q.node = e.n AND q.status = 'queued' AND q.asset_key IS NOT NULL
         AND qr.run_id = q.run_id AND runs.run_id = q.run_id AND runs.status IN ('queued', 'started')
       RETURNING q.run_id, q.node, q.asset_key, q.partition_key, qr.queue_name, qr.recheck, qr.checks, qr.run_config),
     started AS (
       UPDATE runs SET status = 'started', started_at = $4
       WHERE run_id IN (SELECT run_id FROM taken) AND status = 'queued')
     SELECT taken.*, st.last_success_run_id FROM taken
     LEFT JOIN asset_partition_state st ON st.asset_key = taken.asset_key AND st.partition_key = taken.partition_key`,
    [entries.map((e) => e.run), entries.map((e) => e.node), workerRun, new Date().toISOString()],
    "take queued steps",
  );
  return rows.map((r) => ({
    run: r.run_id,
    node: r.node,
    assetKey: r.asset_key,
    partitionKey: r.partition_key,
    queue: r.queue_name,
    recheck: r.recheck,
    checks: r.checks,
    runConfig: r.run_config,
    doneByRun: r.last_success_run_id === r.run_id,
  }));
}

/**
 * takeOpenSteps for the jobs a worker starts together, in one statement: each job gets the
 * steps of its own entries, in its entries' order (an entry listed by two jobs goes to the first).
 */
export function takeOpenStepsOfJobs(
  conn: SyncConnection,
  jobs: readonly (readonly JobEntry[])[],
  workerRun: string,
): OpenStep[][] {
  const taken = new Map<string, OpenStep>();
  for (const step of takeOpenSteps(conn, jobs.flat(), workerRun)) taken.set(entryKey(step), step);
  return jobs.map((entries) => {
    const steps: OpenStep[] = [];
    for (const entry of entries) {
      const step = taken.get(entryKey(entry));
      if (step === undefined) continue;
      taken.delete(entryKey(entry));
      steps.push(step);
    }
    return steps;
  });
}

function entryKey(entry: JobEntry): string {
  return `${entry.node}\u0000${entry.run}`;
}

/** Puts steps back in the queue for another attempt (by any worker), after `delayMs`. */
export function requeueSteps(
  conn: SyncConnection,
  workerSchema: string,
  steps: readonly OpenStep[],
  delayMs: number,
): void {
  if (steps.length === 0) return;
  conn.transaction("requeue steps", () => {
    conn.query(
      `UPDATE queue_steps q SET worker_run = NULL FROM unnest($1::text[], $2::int[]) AS e(r, n)
       WHERE q.run_id = e.r AND q.node = e.n AND q.status = 'queued'`,
      [steps.map((s) => s.run), steps.map((s) => s.node)],
      "release requeued steps",
    );
    addStepJobs(conn, workerSchema, steps.map(toJob), delayMs);
  });
}

/**
 * Steps that workers took and whose worker's run is over (its lease expired, it was marked
 * interrupted): enqueued again. graphile-worker would keep a dead worker's job locked for hours;
 * adding the job again under its key makes a fresh job and retires the locked one.
 */
export function requeueOrphans(conn: SyncConnection, workerSchema: string): number {
  return conn.transaction("requeue orphaned steps", () => {
    const stranded = requeueStrandedJobs(conn, workerSchema);
    const { rows } = conn.query<OpenRow>(
      `UPDATE queue_steps q SET worker_run = NULL
       FROM runs w, queue_runs qr
       WHERE q.worker_run IS NOT NULL AND q.status = 'queued' AND w.run_id = q.worker_run
         AND w.status NOT IN ('queued', 'started') AND qr.run_id = q.run_id
       RETURNING q.run_id, q.node, q.asset_key, q.partition_key, qr.queue_name, qr.recheck, qr.checks, qr.run_config`,
      [],
      "find orphaned steps",
    );
    addStepJobs(conn, workerSchema, rows.map(jobOfRow));
    return rows.length + stranded;
  });
}

/** Records the graphile-worker pool of a worker run (see requeueStrandedJobs). */
export function recordWorkerPool(conn: SyncConnection, poolId: string, workerRun: string): void {
  conn.query(
    "INSERT INTO queue_worker_pools (pool_id, worker_run) VALUES ($1, $2)",
    [poolId, workerRun],
    "record worker pool",
  );
}

export function forgetWorkerPool(conn: SyncConnection, poolId: string): void {
  conn.query("DELETE FROM queue_worker_pools WHERE pool_id = $1", [poolId], "forget worker pool");
}

/**
 * Jobs that a worker's pool fetched ahead (locked by the pool, their steps not taken yet) when
 * its worker run ended without giving them back (killed): their steps are enqueued again (the
 * locked jobs lose their keys and will not run again) and the pool is forgotten.
 */
function requeueStrandedJobs(conn: SyncConnection, workerSchema: string): number {
  const { rows } = conn.query<JobRow>(
    `WITH dead AS (
       SELECT p.pool_id FROM queue_worker_pools p JOIN runs w ON w.run_id = p.worker_run
       WHERE w.status NOT IN ('queued', 'started')),
     entries AS (
       SELECT e.run, e.node FROM "${workerSchema}"._private_jobs j
       CROSS JOIN LATERAL json_to_recordset(
         CASE WHEN json_typeof(j.payload) = 'array' THEN j.payload ELSE json_build_array(j.payload) END
       ) AS e(run text, node int)
       WHERE j.locked_by IN (SELECT pool_id FROM dead)),
     forgotten AS (DELETE FROM queue_worker_pools WHERE pool_id IN (SELECT pool_id FROM dead))
     SELECT DISTINCT q.run_id, q.node, q.asset_key, q.partition_key, qr.queue_name
     FROM entries e
     JOIN queue_steps q ON q.run_id = e.run AND q.node = e.node AND q.status = 'queued' AND q.worker_run IS NULL
     JOIN queue_runs qr ON qr.run_id = q.run_id`,
    [],
    "find stranded jobs",
  );
  addStepJobs(conn, workerSchema, rows.map(jobOfRow));
  return rows.length;
}

function toJob(step: OpenStep): StepJob {
  return {
    run: step.run,
    node: step.node,
    assetKey: step.assetKey,
    partitionKey: step.partitionKey,
    queue: step.queue,
  };
}

/**
 * Jobs of the queue a worker could still take (waiting, retrying or scheduled for later), and
 * those that the worker pool `poolId` has locked (fetched ahead into its local queue, running,
 * or done and not yet marked complete).
 */
export function pendingJobs(
  conn: SyncConnection,
  workerSchema: string,
  task: string,
  poolId: string,
): number {
  const { rows } = conn.query<{ n: number }>(
    `SELECT count(*) AS n FROM "${workerSchema}"._private_jobs j
     JOIN "${workerSchema}"._private_tasks t ON t.id = j.task_id
     WHERE t.identifier = $1 AND (j.is_available OR j.locked_by = $2)`,
    [task, poolId],
    "count pending jobs",
  );
  return rows[0]?.n ?? 0;
}
