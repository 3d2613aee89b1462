import type Database from "better-sqlite3";
import { holderState } from "../../leases.ts";
import type { ListRunsOptions, RunRecord, RunStatus } from "../../types.ts";
import { pageBounds } from "../paging.ts";
import {
  buildRunRecord,
  duplicateRunError,
  type NewRun,
  RUN_PATCH_COLUMNS,
  type RunPatch,
  runPatchValues,
  unknownRunError,
} from "../run-records.ts";
import { assertRunStatus } from "../validation.ts";
import { SQL_NOW_MS } from "./clock.ts";

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

export const SQL_LIST_RUNS = "SELECT * FROM runs ORDER BY created_at DESC, rowid DESC LIMIT ?";
export const SQL_LIST_RUNS_BY_STATUS =
  "SELECT * FROM runs WHERE status = ? ORDER BY created_at DESC, rowid DESC LIMIT ?";

/** Run records: create, patch, read, list, and the dead-run sweep. */
export class RunQueries {
  private readonly insert: Database.Statement;
  private readonly selectOne: Database.Statement<[string], RunRow>;
  private readonly listAll: Database.Statement<[number], RunRow>;
  private readonly listByStatus: Database.Statement<[string, number], RunRow>;
  private readonly clock: Database.Statement<[], { now: number }>;
  private readonly unfinished: Database.Statement<[], UnfinishedRow>;
  private readonly renewLease: Database.Statement<[number, string]>;
  private readonly markInterrupted: Database.Statement<[string, string]>;
  private readonly releaseClaims: Database.Statement<[string]>;
  private readonly releaseSlots: Database.Statement<[string]>;
  private readonly updates = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(
      `INSERT INTO runs (run_id, status, selection, partitions_summary, step_count, created_at, started_at,
         ended_at, pid, host, tags, lease_expires_at)
       VALUES (@runId, @status, @selection, @partitionsSummary, @stepCount, @createdAt, @startedAt,
         @endedAt, @pid, @host, @tags, @leaseExpiresAt)`,
    );
    this.clock = db.prepare(`SELECT ${SQL_NOW_MS} AS now`);
    this.unfinished = db.prepare(
      `SELECT run_id, status, pid, host, lease_expires_at, ${SQL_NOW_MS} AS now FROM runs
       WHERE status IN ('queued', 'started') AND lease_expires_at IS NOT NULL ORDER BY created_at`,
    );
    this.renewLease = db.prepare(
      `UPDATE runs SET lease_expires_at = ${SQL_NOW_MS} + ? WHERE run_id = ? AND status IN ('queued', 'started')`,
    );
    this.selectOne = db.prepare("SELECT * FROM runs WHERE run_id = ?");
    this.listAll = db.prepare(SQL_LIST_RUNS);
    this.listByStatus = db.prepare(SQL_LIST_RUNS_BY_STATUS);
    this.markInterrupted = db.prepare(
      "UPDATE runs SET status = 'interrupted', ended_at = ? WHERE run_id = ? AND status IN ('queued', 'started')",
    );
    this.releaseClaims = db.prepare("DELETE FROM step_claims WHERE run_id = ?");
    this.releaseSlots = db.prepare("DELETE FROM semaphore_slots WHERE run_id = ?");
  }

  create(run: NewRun): RunRecord {
    const record = buildRunRecord(run, this.clock.get()!.now);
    try {
      this.insert.run({ ...record, tags: JSON.stringify(record.tags) });
    } catch (err) {
      if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY")
        throw duplicateRunError(run.runId, err);
      throw err;
    }
    return record;
  }

  update(runId: string, patch: RunPatch): void {
    const values = runPatchValues(patch);
    const fields = Object.keys(values);
    if (fields.length === 0) return;
    const changes = this.updateStatement(fields).run({ ...values, runId }).changes;
    if (changes === 0) throw unknownRunError(runId, "update run");
  }

  get(runId: string): RunRecord | undefined {
    const row = this.selectOne.get(runId);
    return row ? toRunRecord(row) : undefined;
  }

  /** Newest first. */
  list(opts: ListRunsOptions = {}): RunRecord[] {
    const { limit } = pageBounds({ limit: opts.limit });
    if (opts.status !== undefined) assertRunStatus(opts.status);
    const rows = opts.status ? this.listByStatus.all(opts.status, limit) : this.listAll.all(limit);
    return rows.map(toRunRecord);
  }

  /** False when the run is no longer unfinished (someone marked it interrupted). */
  heartbeat(runId: string, leaseMs: number): boolean {
    return this.renewLease.run(leaseMs, runId).changes === 1;
  }

  /**
   * Unfinished runs whose lease expired, or whose process on this host is gone or a zombie,
   * become `interrupted` and their step claims and semaphore slots are released. The candidates
   * are judged again under the write lock, so a run that renewed its lease meanwhile is left alone.
   */
  markDeadRunsInterrupted(): number {
    if (!this.unfinished.all().some((r) => isDead(r))) return 0;
    const sweep = this.db.transaction(() => {
      const now = new Date().toISOString();
      let marked = 0;
      for (const run of this.unfinished.all()) {
        if (isDead(run)) marked += this.interrupt(run.run_id, now);
      }
      return marked;
    });
    return sweep.immediate();
  }

  /**
   * Marks one unfinished run interrupted and drops its claims and semaphore slots; call inside a
   * write transaction.
   */
  interrupt(runId: string, endedAt: string): number {
    const marked = this.markInterrupted.run(endedAt, runId).changes;
    this.releaseClaims.run(runId);
    this.releaseSlots.run(runId);
    return marked;
  }

  private updateStatement(fields: string[]): Database.Statement {
    const signature = fields.join(",");
    let statement = this.updates.get(signature);
    if (!statement) {
      const sets = fields.map((f) => `${RUN_PATCH_COLUMNS[f as keyof RunPatch]} = @${f}`).join(", ");
      statement = this.db.prepare(`UPDATE runs SET ${sets} WHERE run_id = @runId`);
      this.updates.set(signature, statement);
    }
    return statement;
  }
}

function isDead(row: UnfinishedRow): boolean {
  const state = holderState({
    runId: row.run_id,
    status: row.status,
    pid: row.pid,
    host: row.host,
    leaseExpiresAt: row.lease_expires_at,
    now: row.now,
  });
  return state !== "live";
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
