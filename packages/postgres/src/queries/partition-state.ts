import {
  type AssetPartitionState,
  type EventRecord,
  type InputMismatch,
  type MaterializationVersions,
  type Page,
  type PartitionRef,
  pageBounds,
  type RecordedCodeVersion,
  StorageError,
} from "@daydream/core";
import type { SyncConnection } from "../connection/sync-connection.ts";

interface StateRow {
  asset_key: string;
  partition_key: string;
  status: "materialized" | "failed";
  run_id: string;
  timestamp: string;
  duration_ms: number | null;
  metadata: string | null;
  error: string | null;
  last_success_run_id: string | null;
  last_success_at: string | null;
  code_version: string | null;
  data_version: string | null;
  input_versions: string | null;
}

/** A partition's latest success recorded versions. */
const VERSIONED = "last_success_run_id IS NOT NULL AND input_versions IS NOT NULL";

type VersionsRow = Pick<StateRow, "partition_key" | "code_version" | "data_version" | "input_versions">;

const STATE_COLUMNS =
  "asset_key, partition_key, status, run_id, timestamp, duration_ms, metadata, error, last_success_run_id, last_success_at, code_version, data_version, input_versions";

const INSERT_STATE = `INSERT INTO asset_partition_state (asset_key, partition_key, status, run_id, event_id, timestamp,
  duration_ms, metadata, error, last_success_run_id, last_success_at, code_version, data_version, input_versions)`;

const ON_MATERIALIZED = `ON CONFLICT (asset_key, partition_key) DO UPDATE SET status = 'materialized',
    run_id = excluded.run_id, event_id = excluded.event_id, timestamp = excluded.timestamp,
    duration_ms = excluded.duration_ms, metadata = excluded.metadata, error = NULL,
    last_success_run_id = excluded.run_id, last_success_at = excluded.timestamp,
    code_version = excluded.code_version, data_version = excluded.data_version,
    input_versions = excluded.input_versions`;

// A failure keeps the metadata and time of the last success: that value may still be on disk.
const ON_FAILED = `ON CONFLICT (asset_key, partition_key) DO UPDATE SET status = 'failed',
    run_id = excluded.run_id, event_id = excluded.event_id, timestamp = excluded.timestamp,
    duration_ms = excluded.duration_ms, error = excluded.error`;

// Rows come as one JSON document (see recordOutcomes).
const UPSERT_MATERIALIZED = `${INSERT_STATE}
  SELECT a, p, 'materialized', r, e, t, d, m, NULL, r, t, cv, dv, iv
  FROM json_to_recordset($1::json) AS x(a text, p text, r text, e bigint, t text, d float8, m text,
    cv text, dv text, iv text)
  ORDER BY a, p
  ${ON_MATERIALIZED}`;

const UPSERT_FAILED = `${INSERT_STATE}
  SELECT a, p, 'failed', r, e, t, d, NULL, m, NULL, NULL, NULL, NULL, NULL
  FROM json_to_recordset($1::json) AS x(a text, p text, r text, e bigint, t text, d float8, m text)
  ORDER BY a, p
  ${ON_FAILED}`;

/**
 * Common table expressions that append a batch of events and record the partition outcomes among
 * them, for one statement (one round trip, atomic as a statement is). $1 is a JSON array of
 * events (see appendRow in events.ts); each outcome's state row takes its event's id through the
 * RETURNING of the insert, matched by (type, asset, partition), so at most one outcome per
 * partition may be in the batch (outcomesUnique).
 */
export const APPEND_CTES = `b AS (
    SELECT * FROM ROWS FROM (json_to_recordset($1::json) AS (r text, t text, a text, p text, ts text,
      d float8, m text, e text, msg text, ot text, cv text, dv text, iv text))
      WITH ORDINALITY AS b(r, t, a, p, ts, d, m, e, msg, ot, cv, dv, iv, n)
  ), ins AS (
    INSERT INTO event_log (run_id, type, asset_key, partition_key, timestamp, duration_ms, metadata, error, message)
    SELECT r, t, a, p, ts, d, m, e, msg FROM b ORDER BY n
    RETURNING id, type, asset_key, partition_key
  ), o AS (
    SELECT b.*, ins.id FROM ins
    JOIN b ON b.t = ins.type AND b.a = ins.asset_key AND b.p IS NOT DISTINCT FROM ins.partition_key
    WHERE ins.type IN ('materialization', 'step_failure')
  ), mat AS (
    ${INSERT_STATE}
    SELECT a, coalesce(p, ''), 'materialized', r, id, ts, d, m, NULL, r, ts, cv, dv, iv
    FROM o WHERE t = 'materialization' ORDER BY a, p
    ${ON_MATERIALIZED}
    RETURNING 1
  ), fail AS (
    ${INSERT_STATE}
    SELECT a, coalesce(p, ''), 'failed', r, id, ts, d, NULL, ot, NULL, NULL, NULL, NULL, NULL
    FROM o WHERE t = 'step_failure' ORDER BY a, p
    ${ON_FAILED}
    RETURNING 1
  )`;

interface Outcome {
  event: EventRecord;
  id: number;
  /** Metadata JSON of a materialization, or the error message of a failure. */
  text: string | null;
}

/** The latest outcome per (asset, partition), written in the transaction that appends its event. */
export class PartitionStateQueries {
  constructor(private readonly conn: SyncConnection) {}

  /** `ids[i]` and `metadata[i]` belong to `events[i]`; call inside the append transaction. */
  recordOutcomes(
    events: readonly EventRecord[],
    ids: readonly number[],
    metadata: readonly (string | null)[],
  ): void {
    const outcomes: Outcome[] = [];
    events.forEach((event, i) => {
      if (isOutcome(event)) outcomes.push({ event, id: ids[i], text: outcomeText(event, metadata[i]) });
    });
    if (outcomes.length === 0) return;
    // One statement per kind, unless a partition has two outcomes in the batch: then in order.
    const groups = outcomesUnique(events) ? [outcomes] : outcomes.map((o) => [o]);
    for (const group of groups) {
      this.upsert(
        UPSERT_MATERIALIZED,
        group.filter((o) => o.event.type === "materialization"),
        true,
      );
      this.upsert(
        UPSERT_FAILED,
        group.filter((o) => o.event.type === "step_failure"),
        false,
      );
    }
  }

  get(assetKey: string, partitionKey = ""): AssetPartitionState | undefined {
    const row = this.conn.query<StateRow>(
      `SELECT ${STATE_COLUMNS} FROM asset_partition_state WHERE asset_key = $1 AND partition_key = $2`,
      [assetKey, partitionKey],
      "read partition state",
    ).rows[0];
    return row ? toState(row) : undefined;
  }

  latest(assetKey: string): AssetPartitionState | undefined {
    const row = this.conn.query<StateRow>(
      `SELECT ${STATE_COLUMNS} FROM asset_partition_state WHERE asset_key = $1 ORDER BY event_id DESC LIMIT 1`,
      [assetKey],
      "read latest partition state",
    ).rows[0];
    return row ? toState(row) : undefined;
  }

  /** Ordered by partition key. */
  list(assetKey: string, opts: Page & { status?: "materialized" | "failed" } = {}): AssetPartitionState[] {
    const { limit, offset } = pageBounds(opts);
    if (opts.status !== undefined && opts.status !== "materialized" && opts.status !== "failed") {
      throw new StorageError("invalid_status", `unknown partition status "${opts.status}"`, {
        userError: false,
        hint: 'use "materialized" or "failed"',
      });
    }
    const { rows } = this.conn.query<StateRow>(
      `SELECT ${STATE_COLUMNS} FROM asset_partition_state
       WHERE asset_key = $1 AND ($2::text IS NULL OR status = $2)
       ORDER BY partition_key LIMIT $3 OFFSET $4`,
      [assetKey, opts.status ?? null, limit < 0 ? null : limit, offset],
      "list partition states",
    );
    return rows.map(toState);
  }

  count(assetKey: string): { materialized: number; failed: number } {
    const result = { materialized: 0, failed: 0 };
    const { rows } = this.conn.query<{ status: "materialized" | "failed"; n: number }>(
      "SELECT status, count(*) AS n FROM asset_partition_state WHERE asset_key = $1 GROUP BY status",
      [assetKey],
      "count partition states",
    );
    for (const row of rows) result[row.status] = row.n;
    return result;
  }

  materializedPartitionKeys(assetKey: string): Set<string> {
    const { rows } = this.conn.query<{ partition_key: string }>(
      "SELECT partition_key FROM asset_partition_state WHERE asset_key = $1 AND status = 'materialized'",
      [assetKey],
      "read materialized partitions",
    );
    return new Set(rows.map((r) => r.partition_key));
  }

  /** Versions of each partition's latest success, for those that recorded any. */
  versions(assetKey: string): Map<string, MaterializationVersions> {
    const { rows } = this.conn.query<VersionsRow>(
      `SELECT partition_key, code_version, data_version, input_versions FROM asset_partition_state
       WHERE asset_key = $1 AND ${VERSIONED}`,
      [assetKey],
      "read partition versions",
    );
    const out = new Map<string, MaterializationVersions>();
    for (const row of rows) out.set(row.partition_key, toVersions(row)!);
    return out;
  }

  codeVersions(assetKey: string, otherThan?: { code: string | null }): RecordedCodeVersion[] {
    const { rows } = this.conn.query<{ code: string | null; partitions: string[] }>(
      `SELECT code_version AS code, json_agg(partition_key) AS partitions FROM asset_partition_state
       WHERE asset_key = $1 AND ${VERSIONED} AND ($2 OR code_version IS DISTINCT FROM $3::text)
       GROUP BY code_version`,
      [assetKey, otherThan === undefined, otherThan?.code ?? null],
      "read recorded code versions",
    );
    return rows;
  }

  mismatchedInputs(assetKey: string, staleUpstream: readonly PartitionRef[]): InputMismatch[] {
    // WITH ORDINALITY keeps each input's place in the recorded list.
    const { rows } = this.conn.query<InputMismatch>(
      `SELECT r.partition_key AS "partitionKey", j.value ->> 'asset' AS asset,
         j.value ->> 'partition' AS partition,
         u.data_version IS DISTINCT FROM (j.value ->> 'version') AS changed
       FROM asset_partition_state r
       CROSS JOIN LATERAL jsonb_array_elements(r.input_versions::jsonb) WITH ORDINALITY AS j(value, n)
       JOIN asset_partition_state u
         ON u.asset_key = j.value ->> 'asset' AND u.partition_key = j.value ->> 'partition'
       WHERE r.asset_key = $1 AND r.last_success_run_id IS NOT NULL AND r.input_versions IS NOT NULL
         AND u.last_success_run_id IS NOT NULL AND u.input_versions IS NOT NULL
         AND (u.data_version IS DISTINCT FROM (j.value ->> 'version')
           OR (j.value ->> 'asset', j.value ->> 'partition') IN
             (SELECT s ->> 'asset', s ->> 'partition' FROM jsonb_array_elements($2::jsonb) s))
       ORDER BY r.partition_key, j.n`,
      [assetKey, JSON.stringify(staleUpstream)],
      "compare recorded inputs",
    );
    return rows;
  }

  wipe(assetKey: string, partitionKey?: string): number {
    return this.conn.query(
      "DELETE FROM asset_partition_state WHERE asset_key = $1 AND ($2::text IS NULL OR partition_key = $2)",
      [assetKey, partitionKey ?? null],
      "wipe partition states",
    ).rowCount;
  }

  private upsert(sql: string, outcomes: Outcome[], withVersions: boolean): void {
    if (outcomes.length === 0) return;
    // One JSON document rather than arrays: node-postgres escapes array parameters in JavaScript.
    const rows = outcomes.map((o) => ({
      a: o.event.assetKey,
      p: o.event.partitionKey ?? "",
      r: o.event.runId,
      e: o.id,
      t: o.event.timestamp,
      d: o.event.durationMs ?? null,
      m: o.text,
      ...(withVersions
        ? {
            cv: o.event.versions?.code ?? null,
            dv: o.event.versions?.data ?? null,
            iv: o.event.versions == null ? null : JSON.stringify(o.event.versions.inputs),
          }
        : {}),
    }));
    this.conn.query(sql, [JSON.stringify(rows)], "record partition state");
  }
}

const isOutcome = (event: EventRecord) => event.type === "materialization" || event.type === "step_failure";

/** Whether no partition has two outcomes (materialization or failure) in the batch. */
export function outcomesUnique(events: readonly EventRecord[]): boolean {
  const keys = new Set<string>();
  let count = 0;
  for (const event of events) {
    if (!isOutcome(event)) continue;
    count++;
    keys.add(`${event.assetKey}\u0000${event.partitionKey ?? ""}`);
  }
  return keys.size === count;
}

/**
 * The text a partition's state keeps for an outcome: a materialization's metadata JSON, a
 * failure's error message; null for other events.
 */
export function outcomeText(event: EventRecord, metadata: string | null): string | null {
  if (event.type === "materialization") return metadata;
  if (event.type === "step_failure") return event.error?.message ?? event.message ?? "step failed";
  return null;
}

function toState(row: StateRow): AssetPartitionState {
  return {
    assetKey: row.asset_key,
    partitionKey: row.partition_key,
    status: row.status,
    runId: row.run_id,
    timestamp: row.timestamp,
    durationMs: row.duration_ms,
    metadata: row.metadata === null ? null : JSON.parse(row.metadata),
    error: row.error,
    lastMaterialization:
      row.last_success_run_id === null || row.last_success_at === null
        ? null
        : { runId: row.last_success_run_id, timestamp: row.last_success_at },
    versions: toVersions(row),
  };
}

function toVersions(row: VersionsRow): MaterializationVersions | null {
  if (row.input_versions === null) return null;
  return { code: row.code_version, data: row.data_version, inputs: JSON.parse(row.input_versions) };
}
