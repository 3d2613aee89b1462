import { createHash } from "node:crypto";
import type { PostgresTarget, SyncConnection } from "@daydream/postgres";

/** Runs with no `--queue` go to this queue. */
export const DEFAULT_QUEUE = "default";

/**
 * graphile-worker's own retries cover crashes of the job itself (lost connections...); a step's
 * failures are retried by the engine's retry policy inside the job, so this stays small.
 */
export const JOB_MAX_ATTEMPTS = 3;

/** One entry of a job's payload: a node of a queued run. Jobs of one step collapse into a list. */
export interface JobEntry {
  run: string;
  node: number;
}

/** A job to add for a step of a queued run. */
export interface StepJob extends JobEntry {
  assetKey: string;
  partitionKey: string;
  queue: string;
}

const QUEUE_NAME = /^[a-z0-9_-]{1,64}$/i;

/**
 * graphile-worker's schema for an instance: `graphile_worker` beside an instance in `public`,
 * `<schema>_graphile_worker` beside one in its own schema, so instances never share jobs.
 */
export function workerSchemaOf(target: PostgresTarget): string {
  return target.schema === "public" ? "graphile_worker" : `${target.schema}_graphile_worker`;
}

/**
 * A queue is a task identifier: a worker fetches only the tasks it knows, so `--queue gpu` workers
 * take only the jobs of runs enqueued with `--queue gpu`. (graphile-worker's own queue names
 * would run a queue's jobs one at a time, which is not what a queue of steps means here.)
 */
export function taskOf(queue: string): string {
  return `assets_step:${queue}`;
}

export function isQueueName(queue: string): boolean {
  return QUEUE_NAME.test(queue);
}

/**
 * One job key per (queue, asset, partition): adding the step again while its job waits collapses
 * into that job, its payload growing by the new run's entry (graphile-worker merges array payloads).
 */
export function jobKeyOf(queue: string, assetKey: string, partitionKey: string): string {
  const key = `${queue}\u001f${assetKey}\u001f${partitionKey}`;
  // Job keys are limited to 512 characters; long partition keys are hashed.
  return key.length <= 400 ? key : `${queue}\u001f${createHash("sha256").update(key).digest("hex")}`;
}

/**
 * Adds jobs through graphile-worker's SQL API on `conn`, so they commit or roll back with the
 * caller's transaction. `delayMs` postpones them (a step held elsewhere is asked for later).
 */
export function addStepJobs(
  conn: SyncConnection,
  workerSchema: string,
  jobs: readonly StepJob[],
  delayMs = 0,
): void {
  if (jobs.length === 0) return;
  // The jobs go as one JSON document: node-postgres escapes array parameters in JavaScript, slow
  // for 100,000 JSON payloads.
  const doc = jobs.map((j) => ({
    t: taskOf(j.queue),
    p: [{ run: j.run, node: j.node } satisfies JobEntry],
    k: jobKeyOf(j.queue, j.assetKey, j.partitionKey),
  }));
  conn.query(
    `SELECT count(*) FROM "${workerSchema}".add_jobs(ARRAY(
       SELECT ROW(t, p, NULL, now() + make_interval(secs => $2::float8 / 1000), $3::smallint, k, 0::smallint, NULL)::"${workerSchema}".job_spec
       FROM json_to_recordset($1::json) AS x(t text, p json, k text)))`,
    [JSON.stringify(doc), delayMs, JOB_MAX_ATTEMPTS],
    "add step jobs",
  );
}
