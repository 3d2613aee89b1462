/**
 * DDL of the instance database, one constant per schema version. A version's
 * DDL is never edited once released: later changes go in a new migration.
 */

/** Version 1: runs, event log, latest state per (asset, partition), dynamic partitions, step claims. */
export const SCHEMA_V1 = `
CREATE TABLE runs (
  run_id TEXT PRIMARY KEY NOT NULL,
  status TEXT NOT NULL
    CHECK (status IN ('queued', 'started', 'succeeded', 'failed', 'canceled', 'interrupted')),
  selection TEXT NOT NULL,
  partitions_summary TEXT NOT NULL,
  step_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  started_at TEXT,
  ended_at TEXT,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX runs_by_created ON runs (created_at);
CREATE INDEX runs_by_status ON runs (status, created_at);

CREATE TABLE event_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL REFERENCES runs (run_id),
  type TEXT NOT NULL
    CHECK (type IN ('run_start', 'step_start', 'materialization', 'step_failure', 'step_skipped', 'run_end')),
  asset_key TEXT,
  partition_key TEXT,
  timestamp TEXT NOT NULL,
  duration_ms REAL,
  metadata TEXT,
  error TEXT,
  message TEXT
);
CREATE INDEX event_log_by_run ON event_log (run_id, id);
CREATE INDEX event_log_by_asset ON event_log (asset_key, partition_key, id) WHERE asset_key IS NOT NULL;

-- Latest outcome per (asset, partition), written in the same transaction as its event.
-- metadata and last_success_* describe the latest successful materialization and survive
-- a later failure; error is the latest failure's message (NULL once materialized again).
CREATE TABLE asset_partition_state (
  asset_key TEXT NOT NULL,
  partition_key TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('materialized', 'failed')),
  run_id TEXT NOT NULL,
  event_id INTEGER NOT NULL,
  timestamp TEXT NOT NULL,
  duration_ms REAL,
  metadata TEXT,
  error TEXT,
  last_success_run_id TEXT,
  last_success_at TEXT,
  PRIMARY KEY (asset_key, partition_key)
) WITHOUT ROWID;

-- position keeps insertion order per name; (name, key) is unique.
CREATE TABLE dynamic_partitions (
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  key TEXT NOT NULL,
  PRIMARY KEY (name, position),
  UNIQUE (name, key)
) WITHOUT ROWID;

-- At most one run computes an (asset, partition) at once; pid/host are the claiming run's.
-- Only in-flight steps hold claims, so the table stays small: no index on run_id (releasing a
-- run's claims scans it), which keeps each claim's commit to a single page.
CREATE TABLE step_claims (
  asset_key TEXT NOT NULL,
  partition_key TEXT NOT NULL,
  run_id TEXT NOT NULL REFERENCES runs (run_id),
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  claimed_at TEXT NOT NULL,
  PRIMARY KEY (asset_key, partition_key)
) WITHOUT ROWID;
`;

/**
 * Version 2: `latestAssetPartitionState` reads an index instead of sorting all of an
 * asset's partitions. Databases made by an early build of version 1 also had an index on
 * step_claims.run_id; it is dropped so every database has the same schema.
 */
export const SCHEMA_V2 = `
CREATE INDEX asset_partition_state_by_recency ON asset_partition_state (asset_key, event_id);
DROP INDEX IF EXISTS step_claims_by_run;
`;

/**
 * Version 3: no index on event_log by asset. No query reads events by asset (history per asset
 * comes from asset_partition_state and per-run event lists), and maintaining it was a third of
 * the cost of recording an event.
 */
export const SCHEMA_V3 = `
DROP INDEX IF EXISTS event_log_by_asset;
`;

/**
 * Version 4: run leases. A running run renews `lease_expires_at` (epoch ms on the database's
 * clock) by heartbeat; its claims are live only while the lease is fresh. Unfinished runs
 * recorded before this version get one default lease from now, so a run still going on an
 * older build is not taken over at once.
 */
export const SCHEMA_V4 = `
ALTER TABLE runs ADD COLUMN lease_expires_at INTEGER;
UPDATE runs SET lease_expires_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) + 30000
  WHERE status IN ('queued', 'started');
`;

/**
 * Version 5: asset checks. The latest result of each check per (asset, partition), replaced
 * by each new evaluation. No foreign key to runs: a check run on demand has no run.
 * The partial index finds failed blocking checks without reading passed results.
 */
export const SCHEMA_V5 = `
CREATE TABLE asset_check_results (
  asset_key TEXT NOT NULL,
  check_name TEXT NOT NULL,
  partition_key TEXT NOT NULL,
  run_id TEXT,
  timestamp TEXT NOT NULL,
  passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
  severity TEXT NOT NULL CHECK (severity IN ('warn', 'error')),
  blocking INTEGER NOT NULL CHECK (blocking IN (0, 1)),
  description TEXT,
  metadata TEXT,
  PRIMARY KEY (asset_key, check_name, partition_key)
) WITHOUT ROWID;
CREATE INDEX asset_check_results_failed ON asset_check_results (asset_key, partition_key) WHERE passed = 0;
`;

/**
 * Version 6: code and data versions. The latest successful materialization of each partition
 * keeps the code version it ran with, the content hash of its output and the data versions of
 * the inputs it read (JSON: [{asset, partition, version}]), so staleness is one read per asset.
 */
export const SCHEMA_V6 = `
ALTER TABLE asset_partition_state ADD COLUMN code_version TEXT;
ALTER TABLE asset_partition_state ADD COLUMN data_version TEXT;
ALTER TABLE asset_partition_state ADD COLUMN input_versions TEXT;
`;

/**
 * Version 7: semaphore slots. A run holds `count` slots of a named semaphore (at most a limit
 * across every process sharing the instance, e.g. LLM calls in flight per model); like claims,
 * they are live only while the run is. One row per (semaphore, run) and only live runs' rows
 * stay, so the table is small and read by name.
 */
export const SCHEMA_V7 = `
CREATE TABLE semaphore_slots (
  name TEXT NOT NULL,
  run_id TEXT NOT NULL REFERENCES runs (run_id),
  count INTEGER NOT NULL CHECK (count > 0),
  acquired_at TEXT NOT NULL,
  PRIMARY KEY (name, run_id)
) WITHOUT ROWID;
`;

/**
 * Version 8: the recorded inputs of each partition's latest versioned success, one row per
 * input, beside the JSON of version 6. Staleness joins them with the upstream's state; pulling
 * the same fields out of 100,000 JSON documents per query was three times slower. Filled from
 * the JSON of partitions recorded before.
 */
export const SCHEMA_V8 = `
CREATE TABLE partition_inputs (
  asset_key TEXT NOT NULL,
  partition_key TEXT NOT NULL,
  position INTEGER NOT NULL,
  input_asset TEXT NOT NULL,
  input_partition TEXT NOT NULL,
  input_version TEXT,
  PRIMARY KEY (asset_key, partition_key, position)
) WITHOUT ROWID;
INSERT INTO partition_inputs (asset_key, partition_key, position, input_asset, input_partition, input_version)
  SELECT r.asset_key, r.partition_key, j.key, j.value ->> 'asset', j.value ->> 'partition', j.value ->> 'version'
  FROM asset_partition_state r, json_each(r.input_versions) j
  WHERE r.last_success_run_id IS NOT NULL AND r.input_versions IS NOT NULL;
`;

/**
 * Version 9: a count of wipes per asset, so the version of an asset's states (latest event id,
 * wipes) is two index look-ups instead of counting its rows, and a reader that kept what it read
 * can fetch only the states recorded since (a wipe since means reading all again); likewise a
 * count of removals per dynamic partitions definition (the version of its keys: last position,
 * removals). Recorded inputs indexed by the upstream partition they name, to find the partitions
 * that read one.
 */
export const SCHEMA_V9 = `
CREATE TABLE asset_state_wipes (
  asset_key TEXT PRIMARY KEY,
  wipes INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE dynamic_partition_removals (
  name TEXT PRIMARY KEY,
  removals INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX partition_inputs_by_input ON partition_inputs (input_asset, input_partition, asset_key);
`;
