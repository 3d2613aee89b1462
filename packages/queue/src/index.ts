/**
 * @daydream/queue: the queue executor. `enqueueRun` records a run and its plan and enqueues its
 * ready steps as graphile-worker jobs; `runWorker` computes them on any machine sharing the
 * instance's PostgreSQL; `followRun` follows a queued run; `cancelQueuedRun` cancels one.
 */
export { type CanceledRun, cancelQueuedRun } from "./cancel.ts";
export { type EnqueuedRun, type EnqueueOptions, enqueueRun } from "./enqueue.ts";
export { type FollowOptions, followRun } from "./follow.ts";
export { openQueueStorage } from "./open-queue-storage.ts";
export { QueueError } from "./queue-errors.ts";
export { SHARED_ROOT_MARKER, verifySharedRoot } from "./root-marker.ts";
export { DEFAULT_QUEUE } from "./steps/jobs.ts";
export { runWorker, type WorkerEvent, type WorkerOptions, type WorkerSummary } from "./worker/run-worker.ts";
