import type Database from "better-sqlite3";
import { StorageError } from "../../../errors.ts";
import type { EventRecord, EventType } from "../../types.ts";
import { pageBounds } from "../paging.ts";
import { assertEventType, assertValidEvent } from "../validation.ts";
import type { PartitionStateQueries } from "./partition-state.ts";

interface EventRow {
  id: number;
  run_id: string;
  type: EventType;
  asset_key: string | null;
  partition_key: string | null;
  timestamp: string;
  duration_ms: number | null;
  metadata: string | null;
  error: string | null;
  message: string | null;
}

export const SQL_EVENTS_OF_RUN = "SELECT * FROM event_log WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?";

/** The append-only event log. */
export class EventQueries {
  private readonly insert: Database.Statement;
  private readonly ofRun: Database.Statement<[string, number, number], EventRow>;
  private readonly appendBatch: Database.Transaction<(events: readonly EventRecord[]) => void>;

  constructor(
    private readonly db: Database.Database,
    state: PartitionStateQueries,
  ) {
    this.insert = db.prepare(
      `INSERT INTO event_log (run_id, type, asset_key, partition_key, timestamp, duration_ms, metadata, error, message)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.ofRun = db.prepare(SQL_EVENTS_OF_RUN);
    // One transaction for the whole batch: the events and the state they imply commit together.
    this.appendBatch = db.transaction((events: readonly EventRecord[]) => {
      for (const event of events) {
        const metadata = event.metadata == null ? null : JSON.stringify(event.metadata);
        const error = event.error == null ? null : JSON.stringify(event.error);
        const { lastInsertRowid } = this.insert.run(
          event.runId,
          event.type,
          event.assetKey,
          event.partitionKey,
          event.timestamp,
          event.durationMs ?? null,
          metadata,
          error,
          event.message ?? null,
        );
        if (event.type === "materialization" || event.type === "step_failure") {
          state.recordOutcome(event, lastInsertRowid, metadata);
        }
      }
    });
  }

  /** All or nothing: an invalid event or unknown run rejects the whole batch. */
  append(events: readonly EventRecord[]): void {
    if (events.length === 0) return;
    events.forEach(assertValidEvent);
    try {
      this.appendBatch.immediate(events);
    } catch (err) {
      if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_FOREIGNKEY") {
        const runIds = [...new Set(events.map((e) => e.runId))].join(", ");
        throw new StorageError("unknown_run", `cannot record events: run ${runIds} does not exist`, {
          cause: err,
          userError: false,
          context: { runId: runIds },
          hint: "create the run with createRun before appending its events",
        });
      }
      throw err;
    }
  }

  /** In append order. `types` filters; `afterId` pages (pass the last id seen). */
  list(runId: string, opts: { afterId?: number; limit?: number; types?: EventType[] } = {}): EventRecord[] {
    const afterId = opts.afterId ?? 0;
    if (!Number.isInteger(afterId) || afterId < 0) {
      throw new StorageError("invalid_page", `afterId must be a non-negative integer, got ${afterId}`, {
        userError: false,
        hint: "pass the id of the last event already read",
      });
    }
    const { limit } = pageBounds({ limit: opts.limit });
    if (opts.types === undefined) return this.ofRun.all(runId, afterId, limit).map(toEvent);
    if (opts.types.length === 0) return [];
    for (const t of opts.types) assertEventType(t);
    const placeholders = opts.types.map(() => "?").join(", ");
    const statement = this.db.prepare<unknown[], EventRow>(
      `SELECT * FROM event_log WHERE run_id = ? AND id > ? AND type IN (${placeholders}) ORDER BY id LIMIT ?`,
    );
    return statement.all(runId, afterId, ...opts.types, limit).map(toEvent);
  }
}

function toEvent(row: EventRow): EventRecord {
  return {
    id: row.id,
    runId: row.run_id,
    type: row.type,
    assetKey: row.asset_key,
    partitionKey: row.partition_key,
    timestamp: row.timestamp,
    durationMs: row.duration_ms,
    metadata: row.metadata === null ? null : JSON.parse(row.metadata),
    error: row.error === null ? null : JSON.parse(row.error),
    message: row.message,
  };
}
