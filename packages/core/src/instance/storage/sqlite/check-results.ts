import type Database from "better-sqlite3";
import type { CheckResultRecord, CheckSummary, ListCheckResultsOptions } from "../../check-records.ts";
import { assertCheckOutcome, assertValidCheckResult } from "../check-validation.ts";
import { pageBounds } from "../paging.ts";

interface CheckRow {
  asset_key: string;
  check_name: string;
  partition_key: string;
  run_id: string | null;
  timestamp: string;
  passed: number;
  severity: "warn" | "error";
  blocking: number;
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

const SQL_SUMMARY = `SELECT check_name,
    SUM(passed) AS passed,
    SUM(passed = 0 AND severity = 'warn') AS warned,
    SUM(passed = 0 AND severity = 'error') AS failed,
    SUM(passed = 0 AND severity = 'error' AND blocking = 1) AS blocking,
    MAX(timestamp) AS last_at
  FROM asset_check_results WHERE asset_key = ? GROUP BY check_name ORDER BY check_name`;

/** The latest result per (asset, check, partition). */
export class CheckResultQueries {
  private readonly upsert: Database.Statement;
  private readonly summary: Database.Statement<[string], SummaryRow>;
  private readonly listStatements = new Map<string, Database.Statement<unknown[], CheckRow>>();
  private readonly recordBatch: Database.Transaction<(results: readonly CheckResultRecord[]) => void>;
  private readonly wipeOne: Database.Statement<[string, string]>;
  private readonly wipeAll: Database.Statement<[string]>;

  constructor(private readonly db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO asset_check_results (asset_key, check_name, partition_key, run_id, timestamp, passed,
         severity, blocking, description, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (asset_key, check_name, partition_key) DO UPDATE SET run_id = excluded.run_id,
         timestamp = excluded.timestamp, passed = excluded.passed, severity = excluded.severity,
         blocking = excluded.blocking, description = excluded.description, metadata = excluded.metadata`,
    );
    this.summary = db.prepare(SQL_SUMMARY);
    this.wipeOne = db.prepare("DELETE FROM asset_check_results WHERE asset_key = ? AND partition_key = ?");
    this.wipeAll = db.prepare("DELETE FROM asset_check_results WHERE asset_key = ?");
    this.recordBatch = db.transaction((results: readonly CheckResultRecord[]) => {
      for (const r of results) {
        this.upsert.run(
          r.assetKey,
          r.checkName,
          r.partitionKey,
          r.runId,
          r.timestamp,
          r.passed ? 1 : 0,
          r.severity,
          r.blocking ? 1 : 0,
          r.description,
          r.metadata === null ? null : JSON.stringify(r.metadata),
        );
      }
    });
  }

  /** All or nothing: an invalid result rejects the whole batch. */
  record(results: readonly CheckResultRecord[]): void {
    if (results.length === 0) return;
    results.forEach(assertValidCheckResult);
    this.recordBatch.immediate(results);
  }

  /** Forgets the results of the asset's checks (of one partition when given). */
  wipe(assetKey: string, partitionKey?: string): void {
    if (partitionKey === undefined) this.wipeAll.run(assetKey);
    else this.wipeOne.run(assetKey, partitionKey);
  }

  list(assetKey: string, opts: ListCheckResultsOptions = {}): CheckResultRecord[] {
    assertCheckOutcome(opts);
    const { limit, offset } = pageBounds(opts);
    const where = ["asset_key = ?"];
    const params: unknown[] = [assetKey];
    if (opts.partitionKey !== undefined) {
      where.push("partition_key = ?");
      params.push(opts.partitionKey);
    }
    if (opts.checkName !== undefined) {
      where.push("check_name = ?");
      params.push(opts.checkName);
    }
    if (opts.outcome !== undefined) where.push(opts.outcome === "passed" ? "passed = 1" : "passed = 0");
    return this.statementFor(where.join(" AND "))
      .all(...params, limit, offset)
      .map(toRecord);
  }

  /** Prepared once per filter combination (at most eight). */
  private statementFor(where: string): Database.Statement<unknown[], CheckRow> {
    let statement = this.listStatements.get(where);
    if (!statement) {
      statement = this.db.prepare<unknown[], CheckRow>(
        `SELECT * FROM asset_check_results WHERE ${where} ORDER BY check_name, partition_key LIMIT ? OFFSET ?`,
      );
      this.listStatements.set(where, statement);
    }
    return statement;
  }

  summarize(assetKey: string): CheckSummary[] {
    return this.summary.all(assetKey).map((row) => ({
      checkName: row.check_name,
      passed: row.passed,
      warned: row.warned,
      failed: row.failed,
      blocking: row.blocking,
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
    passed: row.passed === 1,
    severity: row.severity,
    blocking: row.blocking === 1,
    description: row.description,
    metadata: row.metadata === null ? null : JSON.parse(row.metadata),
  };
}
