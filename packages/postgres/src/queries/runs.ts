import {
  assertRunStatus,
  buildRunRecord,
  duplicateRunError,
  holderState,
  type ListRunsOptions,
  type NewRun,
  pageBounds,
  RUN_PATCH_COLUMNS,
  type RunPatch,
  type RunRecord,
  type RunStatus,
  runPatchValues,
  unknownRunError,
} from "@daydream/core";
import { pgCodeOf } from "../connection/pg-errors.ts";
import type { SyncConnection } from "../connection/sync-connection.ts";
import { SQL_NOW_MS } from "../schema/schema.ts";

interface RunRow {
  run_id: string;
  status: RunStatus;
  selection: string;
  partitions_summary: string;
  step_count: number;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  pid: number;
  host: string;
  tags: string;
  lease_expires_at: number | null;
}

interface UnfinishedRow {
  run_id: string;
  status: RunStatus;
  pid: number;
  host: string;
  lease_expires_at: number | null;
  now: number;
}

const RUN_COLUMNS =
  "run_id, status, selection, partitions_summary, step_count, created_at, started_at, ended_at, pid, host, tags, lease_expires_at";

/** Run records on PostgreSQL: create, patch, read, list, and the dead-run sweep. */
export class RunQueries {
  constructor(private readonly conn: SyncConnection) {}

  now(): number {
    return this.conn.query<{ now: number }>(`SELECT ${SQL_NOW_MS} AS now`, [], "read the clock").rows[0].now;
  }

  create(run: NewRun): RunRecord {
    const record = buildRunRecord(run, this.now());
    try {
      this.conn.query(
        `INSERT INTO runs (${RUN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          record.runId,
          record.status,
          record.selection,
          record.partitionsSummary,
          record.stepCount,
          record.createdAt,
          record.startedAt,
          record.endedAt,
          record.pid,
          record.host,
          JSON.stringify(record.tags),
          record.leaseExpiresAt,
        ],
        "create run",
      );
    } catch (err) {
      if (pgCodeOf(err) === "23505") throw duplicateRunError(run.runId, err);
      throw err;
    }
    return record;
  }

  update(runId: string, patch: RunPatch): void {
    const values = runPatchValues(patch);
    const fields = Object.keys(values) as (keyof RunPatch)[];
    if (fields.length === 0) return;
    const sets = fields.map((f, i) => `${RUN_PATCH_COLUMNS[f]} = $${i + 2}`).join(", ");
    const { rowCount } = this.conn.query(
      `UPDATE runs SET ${sets} WHERE run_id = $1`,
      [runId, ...fields.map((f) => values[f])],
      "update run",
    );
    if (rowCount === 0) throw unknownRunError(runId, "update run");
  }

  get(runId: string): RunRecord | undefined {
    const row = this.conn.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE run_id = $1`,
      [runId],
      "read run",
    ).rows[0];
    return row ? toRunRecord(row) : undefined;
  }

  /** Newest first. */
  list(opts: ListRunsOptions = {}): RunRecord[] {
    const { limit } = pageBounds({ limit: opts.limit });
    const max = limit < 0 ? null : limit;
    if (opts.status !== undefined) assertRunStatus(opts.status);
    const { rows } = opts.status
      ? this.conn.query<RunRow>(
          `SELECT ${RUN_COLUMNS} FROM runs WHERE status = $1 ORDER BY created_at DESC, seq DESC LIMIT $2`,
          [opts.status, max],
          "list runs",
        )
      : this.conn.query<RunRow>(
          `SELECT ${RUN_COLUMNS} FROM runs ORDER BY created_at DESC, seq DESC LIMIT $1`,
          [max],
          "list runs",
        );
    return rows.map(toRunRecord);
  }

  /** False when the run is no longer unfinished (someone marked it interrupted). */
  heartbeat(runId: string, leaseMs: number): boolean {
    return (
      this.conn.query(
        `UPDATE runs SET lease_expires_at = ${SQL_NOW_MS} + $2 WHERE run_id = $1 AND status IN ('queued', 'started')`,
        [runId, leaseMs],
        "renew run lease",
      ).rowCount === 1
    );
  }

  /** Unfinished runs judged dead (lease expired, or gone on this host) become interrupted. */
  markDeadRunsInterrupted(): number {
    const { rows } = this.conn.query<UnfinishedRow>(
      `SELECT run_id, status, pid, host, lease_expires_at, ${SQL_NOW_MS} AS now FROM runs
       WHERE status IN ('queued', 'started') AND lease_expires_at IS NOT NULL ORDER BY created_at`,
      [],
      "find unfinished runs",
    );
    let marked = 0;
    for (const row of rows) {
      const state = judge(row);
      if (state === "lease-expired" || state === "process-gone") {
        marked += this.conn.transaction("mark dead run interrupted", () =>
          this.interrupt(row.run_id, state === "lease-expired"),
        );
      }
    }
    return marked;
  }

  /**
   * Marks one unfinished run interrupted and drops its claims and semaphore slots. With
   * `ifLeaseExpired`, only while its lease is still expired on the database's clock: a heartbeat
   * that got in first wins.
   */
  interrupt(runId: string, ifLeaseExpired: boolean): number {
    const { rowCount } = this.conn.query(
      `UPDATE runs SET status = 'interrupted', ended_at = $2
       WHERE run_id = $1 AND status IN ('queued', 'started')
         AND ($3::boolean IS FALSE OR lease_expires_at IS NULL OR lease_expires_at <= ${SQL_NOW_MS})`,
      [runId, new Date().toISOString(), ifLeaseExpired],
      "mark run interrupted",
    );
    if (rowCount === 1) {
      this.conn.query("DELETE FROM step_claims WHERE run_id = $1", [runId], "release claims");
      this.conn.query("DELETE FROM semaphore_slots WHERE run_id = $1", [runId], "release semaphore slots");
    }
    return rowCount;
  }
}

export function judge(row: UnfinishedRow) {
  return holderState({
    runId: row.run_id,
    status: row.status,
    pid: row.pid,
    host: row.host,
    leaseExpiresAt: row.lease_expires_at,
    now: row.now,
  });
}

function toRunRecord(row: RunRow): RunRecord {
  return {
    runId: row.run_id,
    status: row.status,
    selection: row.selection,
    partitionsSummary: row.partitions_summary,
    stepCount: row.step_count,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    pid: row.pid,
    host: row.host,
    tags: JSON.parse(row.tags) as Record<string, string>,
    leaseExpiresAt: row.lease_expires_at,
  };
}
