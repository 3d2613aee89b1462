import {
  assertEventType,
  assertValidEvent,
  type EventRecord,
  type EventType,
  pageBounds,
  StorageError,
} from "@daydream/core";
import { pgCodeOf } from "../connection/pg-errors.ts";
import type { SyncConnection } from "../connection/sync-connection.ts";
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

const EVENT_COLUMNS =
  "id, run_id, type, asset_key, partition_key, timestamp, duration_ms, metadata, error, message";

/** Called in the append transaction with the batch just written (ids in batch order). */
export type AppendHook = (
  conn: SyncConnection,
  events: readonly EventRecord[],
  ids: readonly number[],
) => void;

/** The append-only event log on PostgreSQL: one statement per batch, arrays in, ids back in order. */
export class EventQueries {
  constructor(
    private readonly conn: SyncConnection,
    private readonly states: PartitionStateQueries,
    private readonly afterAppend?: AppendHook,
  ) {}

  /** All or nothing: an invalid event or unknown run rejects the whole batch. */
  append(events: readonly EventRecord[]): void {
    if (events.length === 0) return;
    events.forEach(assertValidEvent);
    const metadata = events.map((e) => (e.metadata == null ? null : JSON.stringify(e.metadata)));
    try {
      this.conn.transaction("append events", () => {
        // The batch goes as one JSON document: node-postgres escapes array parameters in
        // JavaScript, which took twice as long as the insert for metadata-heavy batches. Ids come
        // from the sequence in the order of the batch (ORDER BY ordinality).
        const { rows } = this.conn.query<{ id: number }>(
          `INSERT INTO event_log (run_id, type, asset_key, partition_key, timestamp, duration_ms, metadata, error, message)
           SELECT r, t, a, p, ts, d, m, e, msg
           FROM ROWS FROM (json_to_recordset($1::json) AS (r text, t text, a text, p text, ts text,
             d float8, m text, e text, msg text)) WITH ORDINALITY AS b(r, t, a, p, ts, d, m, e, msg, n)
           ORDER BY n
           RETURNING id`,
          [
            JSON.stringify(
              events.map((e, i) => ({
                r: e.runId,
                t: e.type,
                a: e.assetKey,
                p: e.partitionKey,
                ts: e.timestamp,
                d: e.durationMs ?? null,
                m: metadata[i],
                e: e.error == null ? null : JSON.stringify(e.error),
                msg: e.message ?? null,
              })),
            ),
          ],
          "append events",
        );
        const ids = rows.map((r) => r.id).sort((a, b) => a - b);
        this.states.recordOutcomes(events, ids, metadata);
        this.afterAppend?.(this.conn, events, ids);
      });
    } catch (err) {
      if (pgCodeOf(err) === "23503") {
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
    const max = limit < 0 ? null : limit;
    if (opts.types !== undefined) {
      if (opts.types.length === 0) return [];
      for (const t of opts.types) assertEventType(t);
    }
    const { rows } = this.conn.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM event_log
       WHERE run_id = $1 AND id > $2 AND ($3::text[] IS NULL OR type = ANY($3::text[]))
       ORDER BY id LIMIT $4`,
      [runId, afterId, opts.types ?? null, max],
      "read events",
    );
    return rows.map(toEvent);
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
