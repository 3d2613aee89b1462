import {
  assertCheckOutcome,
  assertValidCheckResult,
  type CheckResultRecord,
  type CheckSummary,
  type ListCheckResultsOptions,
  pageBounds,
} from "@daydream/core";
import type { SyncConnection } from "../connection/sync-connection.ts";

interface CheckRow {
  asset_key: string;
  check_name: string;
  partition_key: string;
  run_id: string | null;
  timestamp: string;
  passed: boolean;
  severity: "warn" | "error";
  blocking: boolean;
  description: string | null;
  metadata: string | null;
}

interface SummaryRow {
  check_name: string;
  passed: number;
  warned: number;
  failed: number;
  blocking: number;
  last_at: string;
}

const CHECK_COLUMNS =
  "asset_key, check_name, partition_key, run_id, timestamp, passed, severity, blocking, description, metadata";

// DISTINCT ON keeps the last result of a (asset, check, partition) given twice in one batch,
// which ON CONFLICT would refuse to touch twice in one statement. The batch is one JSON document
// ($1): node-postgres escapes ten array parameters in JavaScript, several times slower.
export const upsertCheckResults = (param: string) => `INSERT INTO asset_check_results (${CHECK_COLUMNS})
  SELECT DISTINCT ON (a, c, p) a, c, p, r, t, ok, s, b, d, m
  FROM ROWS FROM (json_to_recordset(${param}::json) AS (a text, c text, p text, r text, t text, ok boolean,
    s text, b boolean, d text, m text)) WITH ORDINALITY AS x(a, c, p, r, t, ok, s, b, d, m, n)
  ORDER BY a, c, p, n DESC
  ON CONFLICT (asset_key, check_name, partition_key) DO UPDATE SET run_id = excluded.run_id,
    timestamp = excluded.timestamp, passed = excluded.passed, severity = excluded.severity,
    blocking = excluded.blocking, description = excluded.description, metadata = excluded.metadata`;

const UPSERT = upsertCheckResults("$1");

/** Validated check results as the rows of upsertCheckResults' JSON document. */
export function checkResultRows(results: readonly CheckResultRecord[]) {
  results.forEach(assertValidCheckResult);
  return results.map((r) => ({
    a: r.assetKey,
    c: r.checkName,
    p: r.partitionKey,
    r: r.runId,
    t: r.timestamp,
    ok: r.passed,
    s: r.severity,
    b: r.blocking,
    d: r.description,
    m: r.metadata === null ? null : JSON.stringify(r.metadata),
  }));
}

const SUMMARY = `SELECT check_name,
    count(*) FILTER (WHERE passed) AS passed,
    count(*) FILTER (WHERE NOT passed AND severity = 'warn') AS warned,
    count(*) FILTER (WHERE NOT passed AND severity = 'error') AS failed,
    count(*) FILTER (WHERE NOT passed AND severity = 'error' AND blocking) AS blocking,
    max(timestamp) AS last_at
  FROM asset_check_results WHERE asset_key = $1 GROUP BY check_name ORDER BY check_name`;

/** The latest result per (asset, check, partition), one statement per batch. */
export class CheckResultQueries {
  constructor(private readonly conn: SyncConnection) {}

  /** Forgets the results of the asset's checks (of one partition when given). */
  wipe(assetKey: string, partitionKey?: string): void {
    this.conn.query(
      "DELETE FROM asset_check_results WHERE asset_key = $1 AND ($2::text IS NULL OR partition_key = $2)",
      [assetKey, partitionKey ?? null],
      "wipe check results",
    );
  }

  /** All or nothing: an invalid result rejects the whole batch. */
  record(results: readonly CheckResultRecord[]): void {
    if (results.length === 0) return;
    this.conn.query(UPSERT, [JSON.stringify(checkResultRows(results))], "record check results");
  }

  list(assetKey: string, opts: ListCheckResultsOptions = {}): CheckResultRecord[] {
    assertCheckOutcome(opts);
    const { limit, offset } = pageBounds(opts);
    const passed = opts.outcome === undefined ? null : opts.outcome === "passed";
    const { rows } = this.conn.query<CheckRow>(
      `SELECT ${CHECK_COLUMNS} FROM asset_check_results
       WHERE asset_key = $1 AND ($2::text IS NULL OR partition_key = $2)
         AND ($3::text IS NULL OR check_name = $3) AND ($4::boolean IS NULL OR passed = $4)
       ORDER BY check_name, partition_key LIMIT $5 OFFSET $6`,
      [assetKey, opts.partitionKey ?? null, opts.checkName ?? null, passed, limit < 0 ? null : limit, offset],
      "list check results",
    );
    return rows.map(toRecord);
  }

  summarize(assetKey: string): CheckSummary[] {
    const { rows } = this.conn.query<SummaryRow>(SUMMARY, [assetKey], "summarize check results");
    return rows.map((row) => ({
      checkName: row.check_name,
      passed: Number(row.passed),
      warned: Number(row.warned),
      failed: Number(row.failed),
      blocking: Number(row.blocking),
      lastAt: row.last_at,
    }));
  }
}

function toRecord(row: CheckRow): CheckResultRecord {
  return {
    assetKey: row.asset_key,
    checkName: row.check_name,
    partitionKey: row.partition_key,
    runId: row.run_id,
    timestamp: row.timestamp,
    passed: row.passed,
    severity: row.severity,
    blocking: row.blocking,
    description: row.description,
    metadata: row.metadata === null ? null : JSON.parse(row.metadata),
  };
}
