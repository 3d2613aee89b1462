import {
  assertEventType,
  assertValidEvent,
  type EventRecord,
  type EventType,
  pageBounds,
  type RecordBatch,
  StorageError,
} from "@daydream/core";
import { pgCodeOf } from "../connection/pg-errors.ts";
import type { SyncConnection } from "../connection/sync-connection.ts";
import { checkResultRows, upsertCheckResults } from "./check-results.ts";
import { APPEND_CTES, outcomesUnique, outcomeText, type PartitionStateQueries } from "./partition-state.ts";

// Claims are released in the same statement as the record of their steps ($3: JSON [{a, p}]).
const RECORD_BATCH = `WITH ${APPEND_CTES},
  chk AS (${upsertCheckResults("$2")} RETURNING 1),
  rel AS (
    DELETE FROM step_claims c USING json_to_recordset($3::json) AS s(a text, p text)
    WHERE c.asset_key = s.a AND c.partition_key = s.p AND c.run_id = $4
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM chk) AS checks, (SELECT count(*) FROM rel) AS released`;

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

/** The append-only event log on PostgreSQL: one statement per batch (a JSON document in), ids back in order. */
export class EventQueries {
  constructor(
    private readonly conn: SyncConnection,
    private readonly states: PartitionStateQueries,
    private readonly afterAppend?: AppendHook,
  ) {}

  /**
   * A run's flush as one statement when it can be (no append hook, one outcome per partition):
   * the events and their partition states, check results, and the release of claims. Returns
   * false, having written nothing, when it cannot; the caller then writes the parts in a transaction.
   */
  recordBatch(batch: RecordBatch): boolean {
    if (this.afterAppend !== undefined || !outcomesUnique(batch.events)) return false;
    batch.events.forEach(assertValidEvent);
    const checks = checkResultRows(batch.checkResults);
    const release = batch.release ?? { runId: "", steps: [] };
    const doc = JSON.stringify(
      batch.events.map((e) => {
        const metadata = e.metadata == null ? null : JSON.stringify(e.metadata);
        return { ...appendRow(e, metadata), ...outcomeRow(e) };
      }),
    );
    const steps = JSON.stringify(release.steps.map((s) => ({ a: s.assetKey, p: s.partitionKey ?? "" })));
    this.withRunCheck(batch.events, () =>
      this.conn.query(RECORD_BATCH, [doc, JSON.stringify(checks), steps, release.runId], "record batch"),
    );
    return true;
  }

  /** All or nothing: an invalid event or unknown run rejects the whole batch. */
  append(events: readonly EventRecord[]): void {
    if (events.length === 0) return;
    // The usual batch: events and partition states in one statement, one round trip.
    if (this.recordBatch({ events, checkResults: [] })) return;
    events.forEach(assertValidEvent);
    const metadata = events.map((e) => (e.metadata == null ? null : JSON.stringify(e.metadata)));
    this.withRunCheck(events, () => {
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
          [JSON.stringify(events.map((e, i) => appendRow(e, metadata[i])))],
          "append events",
        );
        const ids = rows.map((r) => r.id).sort((a, b) => a - b);
        this.states.recordOutcomes(events, ids, metadata);
        this.afterAppend?.(this.conn, events, ids);
      });
    });
  }

  /** Runs `write`, naming the unknown run when the database refuses events for one. */
  private withRunCheck(events: readonly EventRecord[], write: () => void): void {
    try {
      write();
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

/** An event as a row of the append statements' JSON document. */
function appendRow(e: EventRecord, metadata: string | null) {
  return {
    r: e.runId,
    t: e.type,
    a: e.assetKey,
    p: e.partitionKey,
    ts: e.timestamp,
    d: e.durationMs ?? null,
    m: metadata,
    e: e.error == null ? null : JSON.stringify(e.error),
    msg: e.message ?? null,
  };
}

/** What APPEND_WITH_STATE records in the partition's state besides the event (a success keeps `m`). */
function outcomeRow(e: EventRecord) {
  const versions = e.type === "materialization" ? e.versions : undefined;
  return {
    ot: e.type === "step_failure" ? outcomeText(e, null) : null,
    cv: versions?.code ?? null,
    dv: versions?.data ?? null,
    iv: versions == null ? null : JSON.stringify(versions.inputs),
  };
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
