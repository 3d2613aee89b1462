import type Database from "better-sqlite3";
import { StorageError } from "../../../errors.ts";
import type {
  AssetPartitionState,
  EventRecord,
  InputMismatch,
  MaterializationVersions,
  Page,
  PartitionRef,
  RecordedCodeVersion,
} from "../../types.ts";
import { pageBounds } from "../paging.ts";

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

type InputMismatchRow = Omit<InputMismatch, "changed"> & { changed: 0 | 1 };

type VersionsRow = Pick<StateRow, "partition_key" | "code_version" | "data_version" | "input_versions">;

/** Unpartitioned assets are stored under the empty partition key. */
export const UNPARTITIONED = "";

export const SQL_GET_STATE = "SELECT * FROM asset_partition_state WHERE asset_key = ? AND partition_key = ?";
export const SQL_LATEST_STATE =
  "SELECT * FROM asset_partition_state WHERE asset_key = ? ORDER BY event_id DESC LIMIT 1";
export const SQL_MATERIALIZED_KEYS =
  "SELECT partition_key FROM asset_partition_state WHERE asset_key = ? AND status = 'materialized'";
/** A partition's latest success recorded versions. */
const VERSIONED = "last_success_run_id IS NOT NULL AND input_versions IS NOT NULL";
const SQL_VERSIONS = `SELECT partition_key, code_version, data_version, input_versions FROM asset_partition_state
  WHERE asset_key = ? AND ${VERSIONED}`;
// One JSON list per code version: parsing it beats 100,000 driver rows by a factor of three.
const SQL_CODE_VERSIONS = `SELECT code_version, json_group_array(partition_key) FROM asset_partition_state
  WHERE asset_key = ? AND ${VERSIONED}`;
const SQL_CODE_VERSIONS_ALL = `${SQL_CODE_VERSIONS} GROUP BY code_version`;
const SQL_CODE_VERSIONS_OTHER_THAN = `${SQL_CODE_VERSIONS} AND code_version IS NOT ? GROUP BY code_version`;
// For each recorded input (in its place in the list), the upstream's latest versioned success;
// kept when its data differs from what was read, or it is listed as stale.
const SQL_INPUT_MISMATCHES = `SELECT i.partition_key AS partitionKey, i.input_asset AS asset,
    i.input_partition AS partition, u.data_version IS NOT i.input_version AS changed
  FROM partition_inputs i
  JOIN asset_partition_state u ON u.asset_key = i.input_asset AND u.partition_key = i.input_partition
  WHERE i.asset_key = ? AND u.last_success_run_id IS NOT NULL AND u.input_versions IS NOT NULL
    AND (u.data_version IS NOT i.input_version
      OR (i.input_asset, i.input_partition) IN
        (SELECT s.value ->> 'asset', s.value ->> 'partition' FROM json_each(?) s))
  ORDER BY i.partition_key, i.position`;
const SQL_LIST_STATES =
  "SELECT * FROM asset_partition_state WHERE asset_key = ? ORDER BY partition_key LIMIT ? OFFSET ?";
const SQL_LIST_STATES_BY_STATUS =
  "SELECT * FROM asset_partition_state WHERE asset_key = ? AND status = ? ORDER BY partition_key LIMIT ? OFFSET ?";

/**
 * The latest outcome per (asset, partition). `recordOutcome` runs inside the
 * transaction that appends the event, so the state never disagrees with the log.
 */
export class PartitionStateQueries {
  private readonly upsertMaterialized: Database.Statement;
  private readonly upsertFailed: Database.Statement;
  private readonly getOne: Database.Statement<[string, string], StateRow>;
  private readonly latestOfAsset: Database.Statement<[string], StateRow>;
  private readonly listAll: Database.Statement<[string, number, number], StateRow>;
  private readonly listByStatus: Database.Statement<[string, string, number, number], StateRow>;
  private readonly counts: Database.Statement<[string], { status: string; n: number }>;
  private readonly stateVersion: Database.Statement<[string], [number, number]>;
  private readonly materializedKeys: Database.Statement<[string], string>;
  private readonly versionsOf: Database.Statement<[string], VersionsRow>;
  private readonly codeVersionsOf: Database.Statement<[string], [string | null, string]>;
  private readonly codeVersionsOtherThan: Database.Statement<
    [string, string | null],
    [string | null, string]
  >;
  private readonly inputMismatches: Database.Statement<[string, string], InputMismatchRow>;
  private readonly wipeOne: Database.Statement<[string, string]>;
  private readonly wipeAll: Database.Statement<[string]>;
  private readonly insertInput: Database.Statement;
  private readonly wipeInputsOne: Database.Statement;
  private readonly wipeInputsAll: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    const insert = `INSERT INTO asset_partition_state (asset_key, partition_key, status, run_id, event_id, timestamp,
        duration_ms, metadata, error, last_success_run_id, last_success_at, code_version, data_version, input_versions)`;
    this.upsertMaterialized = db.prepare(
      `${insert} VALUES (?, ?, 'materialized', ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)
       ON CONFLICT (asset_key, partition_key) DO UPDATE SET status = 'materialized', run_id = excluded.run_id,
         event_id = excluded.event_id, timestamp = excluded.timestamp, duration_ms = excluded.duration_ms,
         metadata = excluded.metadata, error = NULL, last_success_run_id = excluded.run_id,
         last_success_at = excluded.timestamp, code_version = excluded.code_version,
         data_version = excluded.data_version, input_versions = excluded.input_versions`,
    );
    // A failure keeps the metadata and time of the last success: that value may still be on disk.
    this.upsertFailed = db.prepare(
      `${insert} VALUES (?, ?, 'failed', ?, ?, ?, ?, NULL, ?, NULL, NULL, NULL, NULL, NULL)
       ON CONFLICT (asset_key, partition_key) DO UPDATE SET status = 'failed', run_id = excluded.run_id,
         event_id = excluded.event_id, timestamp = excluded.timestamp, duration_ms = excluded.duration_ms,
         error = excluded.error`,
    );
    this.getOne = db.prepare(SQL_GET_STATE);
    this.latestOfAsset = db.prepare(SQL_LATEST_STATE);
    this.listAll = db.prepare(SQL_LIST_STATES);
    this.listByStatus = db.prepare(SQL_LIST_STATES_BY_STATUS);
    this.counts = db.prepare(
      "SELECT status, count(*) AS n FROM asset_partition_state WHERE asset_key = ? GROUP BY status",
    );
    // Event ids only grow (AUTOINCREMENT) and only a wipe removes states: the pair moves on every change.
    this.stateVersion = db
      .prepare("SELECT coalesce(max(event_id), 0), count(*) FROM asset_partition_state WHERE asset_key = ?")
      .raw() as Database.Statement<[string], [number, number]>;
    this.materializedKeys = db.prepare(SQL_MATERIALIZED_KEYS).pluck() as Database.Statement<[string], string>;
    this.versionsOf = db.prepare(SQL_VERSIONS);
    this.codeVersionsOf = db.prepare(SQL_CODE_VERSIONS_ALL).raw() as Database.Statement<
      [string],
      [string | null, string]
    >;
    this.codeVersionsOtherThan = db.prepare(SQL_CODE_VERSIONS_OTHER_THAN).raw() as Database.Statement<
      [string, string | null],
      [string | null, string]
    >;
    this.inputMismatches = db.prepare(SQL_INPUT_MISMATCHES);
    this.wipeOne = db.prepare("DELETE FROM asset_partition_state WHERE asset_key = ? AND partition_key = ?");
    this.wipeAll = db.prepare("DELETE FROM asset_partition_state WHERE asset_key = ?");
    this.insertInput = db.prepare(
      `INSERT INTO partition_inputs (asset_key, partition_key, position, input_asset, input_partition, input_version)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.wipeInputsOne = db.prepare("DELETE FROM partition_inputs WHERE asset_key = ? AND partition_key = ?");
    this.wipeInputsAll = db.prepare("DELETE FROM partition_inputs WHERE asset_key = ?");
  }

  /** Call only for materialization and step_failure events, inside the append transaction. */
  recordOutcome(event: EventRecord, eventId: number | bigint, metadataJson: string | null): void {
    const partitionKey = event.partitionKey ?? UNPARTITIONED;
    const duration = event.durationMs ?? null;
    if (event.type === "materialization") {
      this.upsertMaterialized.run(
        event.assetKey,
        partitionKey,
        event.runId,
        eventId,
        event.timestamp,
        duration,
        metadataJson,
        event.runId,
        event.timestamp,
        event.versions?.code ?? null,
        event.versions?.data ?? null,
        event.versions == null ? null : JSON.stringify(event.versions.inputs),
      );
      // The rows mirror the JSON just written: a success without versions leaves none.
      this.wipeInputsOne.run(event.assetKey, partitionKey);
      const inputs = event.versions?.inputs ?? [];
      for (let i = 0; i < inputs.length; i++) {
        const input = inputs[i];
        this.insertInput.run(event.assetKey, partitionKey, i, input.asset, input.partition, input.version);
      }
    } else {
      const error = event.error?.message ?? event.message ?? "step failed";
      this.upsertFailed.run(
        event.assetKey,
        partitionKey,
        event.runId,
        eventId,
        event.timestamp,
        duration,
        error,
      );
    }
  }

  get(assetKey: string, partitionKey: string = UNPARTITIONED): AssetPartitionState | undefined {
    const row = this.getOne.get(assetKey, partitionKey);
    return row ? toState(row) : undefined;
  }

  /** The most recently recorded state among the asset's partitions, whatever its status. */
  latest(assetKey: string): AssetPartitionState | undefined {
    const row = this.latestOfAsset.get(assetKey);
    return row ? toState(row) : undefined;
  }

  /** Ordered by partition key. */
  list(assetKey: string, opts: Page & { status?: "materialized" | "failed" } = {}): AssetPartitionState[] {
    const { limit, offset } = pageBounds(opts);
    if (opts.status === undefined) return this.listAll.all(assetKey, limit, offset).map(toState);
    if (opts.status !== "materialized" && opts.status !== "failed") {
      throw new StorageError("invalid_status", `unknown partition status "${opts.status}"`, {
        userError: false,
        hint: 'use "materialized" or "failed"',
      });
    }
    return this.listByStatus.all(assetKey, opts.status, limit, offset).map(toState);
  }

  count(assetKey: string): { materialized: number; failed: number } {
    const result = { materialized: 0, failed: 0 };
    for (const row of this.counts.all(assetKey)) result[row.status as keyof typeof result] = row.n;
    return result;
  }

  version(assetKey: string): string {
    const [latest, count] = this.stateVersion.get(assetKey) ?? [0, 0];
    return `${latest}:${count}`;
  }

  materializedPartitionKeys(assetKey: string): Set<string> {
    // One all() beats iterate(): one driver call instead of one per row (100,000 keys: ~3x faster).
    return new Set(this.materializedKeys.all(assetKey));
  }

  /** Versions of each partition's latest success, for those that recorded any. */
  versions(assetKey: string): Map<string, MaterializationVersions> {
    const out = new Map<string, MaterializationVersions>();
    for (const row of this.versionsOf.all(assetKey)) out.set(row.partition_key, toVersions(row)!);
    return out;
  }

  codeVersions(assetKey: string, otherThan?: { code: string | null }): RecordedCodeVersion[] {
    const rows =
      otherThan === undefined
        ? this.codeVersionsOf.all(assetKey)
        : this.codeVersionsOtherThan.all(assetKey, otherThan.code);
    return rows.map(([code, partitions]) => ({ code, partitions: JSON.parse(partitions) }));
  }

  mismatchedInputs(assetKey: string, staleUpstream: readonly PartitionRef[]): InputMismatch[] {
    const rows = this.inputMismatches.all(assetKey, JSON.stringify(staleUpstream));
    return rows.map((row) => ({ ...row, changed: row.changed === 1 }));
  }

  wipe(assetKey: string, partitionKey?: string): number {
    if (partitionKey === undefined) {
      this.wipeInputsAll.run(assetKey);
      return this.wipeAll.run(assetKey).changes;
    }
    this.wipeInputsOne.run(assetKey, partitionKey);
    return this.wipeOne.run(assetKey, partitionKey).changes;
  }
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
