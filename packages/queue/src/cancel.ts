import type { RunInstance } from "@daydream/core";
import { QueueError } from "./queue-errors.ts";
import { requirePostgres } from "./queue-storage.ts";
import { ensureQueueSchema } from "./schema/ensure-schema.ts";
import { jobKeyOf } from "./steps/jobs.ts";
import { ClosedNodes, closeNodes } from "./steps/settle.ts";

export interface CanceledRun {
  runId: string;
  /** Steps that had not finished: now canceled. */
  canceledSteps: number;
  /** Jobs removed from the queue before any worker took them. */
  removedJobs: number;
}

/**
 * Cancels a queued run: its open steps become canceled, their waiting jobs are removed, and the
 * workers computing its steps abort them at their next heartbeat. The run ends `canceled`.
 */
export async function cancelQueuedRun(instance: RunInstance, runId: string): Promise<CanceledRun> {
  const storage = requirePostgres(instance.storage, "canceling a queued run");
  const workerSchema = await ensureQueueSchema(storage);
  const conn = storage.connection;
  const run = storage.getRun(runId);
  const queued = conn.query<{ queue_name: string }>(
    "SELECT queue_name FROM queue_runs WHERE run_id = $1",
    [runId],
    "read queued run",
  ).rows[0];
  // A finished run, queued or not, has nothing left to stop.
  if (run && run.status !== "queued" && run.status !== "started") {
    throw new QueueError("RUN_FINISHED", `run ${runId} already ended ${run.status}`, {
      context: { run: runId, status: run.status },
      hint: "only a queued or started run can be canceled",
    });
  }
  if (!run || !queued) {
    throw new QueueError(
      "UNKNOWN_QUEUED_RUN",
      `no queued run ${runId}${run ? " (it ran in a process, not on the queue)" : ""}`,
      {
        context: { run: runId },
        hint: run
          ? `stop it where it runs (Ctrl-C, or kill -INT ${run.pid} on ${run.host})`
          : "`assets runs` lists the runs and their ids",
      },
    );
  }
  return conn.transaction("cancel queued run", () => {
    const { rows } = conn.query<{ asset_key: string | null; partition_key: string | null }>(
      `UPDATE queue_steps SET status = 'canceled', worker_run = NULL
       WHERE run_id = $1 AND status IN ('waiting', 'queued') RETURNING asset_key, partition_key`,
      [runId],
      "cancel open steps",
    );
    const keys = rows
      .filter((r) => r.asset_key !== null)
      .map((r) => jobKeyOf(queued.queue_name, r.asset_key ?? "", r.partition_key ?? ""));
    // A job another run's step joined (same key) stays: only jobs whose every entry is this run's go.
    const removed = conn.query(
      `DELETE FROM "${workerSchema}"._private_jobs j
       WHERE j.key = ANY($1::text[]) AND j.locked_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM json_array_elements(j.payload) e WHERE e->>'run' <> $2)`,
      [keys, runId],
      "remove queued jobs",
    ).rowCount;
    const closed = new ClosedNodes();
    closed.byRun.set(runId, rows.length);
    closeNodes(conn, closed, new Date().toISOString());
    return { runId, canceledSteps: rows.filter((r) => r.asset_key !== null).length, removedJobs: removed };
  });
}
