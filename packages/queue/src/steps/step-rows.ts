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

/**
 * The job's entries whose step is still queued in a run still going, now marked as computed by
 * `workerRun` (their runs move from queued to started). Settled steps and canceled runs drop out:
 * a job that comes back (at-least-once delivery) finds nothing left to do.
 */
export function takeOpenSteps(
  conn: SyncConnection,
  entries: readonly JobEntry[],
  workerRun: string,
): OpenStep[] {
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
    const { rows } = conn.query<OpenRow>(
      `UPDATE queue_steps q SET worker_run = NULL
       FROM runs w, queue_runs qr
       WHERE q.worker_run IS NOT NULL AND q.status = 'queued' AND w.run_id = q.worker_run
         AND w.status NOT IN ('queued', 'started') AND qr.run_id = q.run_id
       RETURNING q.run_id, q.node, q.asset_key, q.partition_key, qr.queue_name, qr.recheck, qr.checks, qr.run_config`,
      [],
      "find orphaned steps",
    );
    addStepJobs(
      conn,
      workerSchema,
      rows.map((r) => ({
        run: r.run_id,
        node: r.node,
        assetKey: r.asset_key,
        partitionKey: r.partition_key,
        queue: r.queue_name,
      })),
    );
    return rows.length;
  });
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

/** Jobs of the queue a worker could still take (waiting, retrying or scheduled for later). */
export function pendingJobs(conn: SyncConnection, workerSchema: string, task: string): number {
  const { rows } = conn.query<{ n: number }>(
    `SELECT count(*) AS n FROM "${workerSchema}"._private_jobs j
     JOIN "${workerSchema}"._private_tasks t ON t.id = j.task_id
     WHERE t.identifier = $1 AND j.is_available`,
    [task],
    "count pending jobs",
  );
  return rows[0]?.n ?? 0;
}
