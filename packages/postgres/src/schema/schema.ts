/**
 * DDL of the PostgreSQL instance, one constant per schema version. A released version's DDL is
 * never edited: later changes go in a new migration. Text keys use the "C" collation so that
 * partition keys sort byte-wise, as they do on SQLite.
 */

/** Version 1: what SQLite reached in its version 4 (runs with leases, events, state, partitions, claims). */
export const SCHEMA_V1 = `
CREATE TABLE runs (
  seq BIGSERIAL NOT NULL UNIQUE,
  run_id TEXT COLLATE "C" PRIMARY KEY,
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
  tags TEXT NOT NULL DEFAULT '{}',
  lease_expires_at BIGINT
);
CREATE INDEX runs_by_created ON runs (created_at, seq);
CREATE INDEX runs_by_status ON runs (status, created_at, seq);

CREATE TABLE event_log (
  id BIGSERIAL PRIMARY KEY,
  run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (run_id),
  type TEXT NOT NULL,
  asset_key TEXT COLLATE "C",
  partition_key TEXT COLLATE "C",
  timestamp TEXT NOT NULL,
  duration_ms DOUBLE PRECISION,
  metadata TEXT,
  error TEXT,
  message TEXT
);
CREATE INDEX event_log_by_run ON event_log (run_id, id);

CREATE TABLE asset_partition_state (
  asset_key TEXT COLLATE "C" NOT NULL,
  partition_key TEXT COLLATE "C" NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('materialized', 'failed')),
  run_id TEXT NOT NULL,
  event_id BIGINT NOT NULL,
  timestamp TEXT NOT NULL,
  duration_ms DOUBLE PRECISION,
  metadata TEXT,
  error TEXT,
  last_success_run_id TEXT,
  last_success_at TEXT,
  PRIMARY KEY (asset_key, partition_key)
);
CREATE INDEX asset_partition_state_by_recency ON asset_partition_state (asset_key, event_id);

-- position keeps insertion order per name; (name, key) is unique.
CREATE TABLE dynamic_partitions (
  name TEXT COLLATE "C" NOT NULL,
  key TEXT COLLATE "C" NOT NULL,
  position BIGINT NOT NULL,
  PRIMARY KEY (name, key)
);
CREATE UNIQUE INDEX dynamic_partitions_by_position ON dynamic_partitions (name, position);

CREATE TABLE step_claims (
  asset_key TEXT COLLATE "C" NOT NULL,
  partition_key TEXT COLLATE "C" NOT NULL,
  run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (run_id),
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  claimed_at TEXT NOT NULL,
  PRIMARY KEY (asset_key, partition_key)
);
CREATE INDEX step_claims_by_run ON step_claims (run_id);
`;

/**
 * Version 2: asset checks and code/data versions (SQLite's versions 5 and 6). The latest result of
 * each check per (asset, partition); no foreign key to runs, since a check run on demand has none.
 * Each partition's latest success keeps the code version it ran with, its output's content hash
 * and the data versions of the inputs it read (JSON), so staleness is one read per asset.
 */
export const SCHEMA_V2 = `
CREATE TABLE asset_check_results (
  asset_key TEXT COLLATE "C" NOT NULL,
  check_name TEXT COLLATE "C" NOT NULL,
  partition_key TEXT COLLATE "C" NOT NULL,
  run_id TEXT,
  timestamp TEXT NOT NULL,
  passed BOOLEAN NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('warn', 'error')),
  blocking BOOLEAN NOT NULL,
  description TEXT,
  metadata TEXT,
  PRIMARY KEY (asset_key, check_name, partition_key)
);
CREATE INDEX asset_check_results_failed ON asset_check_results (asset_key, partition_key) WHERE NOT passed;

ALTER TABLE asset_partition_state ADD COLUMN code_version TEXT;
ALTER TABLE asset_partition_state ADD COLUMN data_version TEXT;
ALTER TABLE asset_partition_state ADD COLUMN input_versions TEXT;
`;

/**
 * Version 3: semaphore slots (SQLite's version 7). A run holds `count` slots of a named semaphore,
 * live only while the run is. An acquire locks the semaphore's row in `semaphores` first, so that
 * acquirers of one name (on any machine) take turns counting the slots held and cannot both take
 * the last one; acquirers of other names do not wait.
 */
export const SCHEMA_V3 = `
CREATE TABLE semaphores (
  name TEXT COLLATE "C" PRIMARY KEY
);

CREATE TABLE semaphore_slots (
  name TEXT COLLATE "C" NOT NULL REFERENCES semaphores (name),
  run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (run_id),
  count INTEGER NOT NULL CHECK (count > 0),
  acquired_at TEXT NOT NULL,
  PRIMARY KEY (name, run_id)
);
CREATE INDEX semaphore_slots_by_run ON semaphore_slots (run_id);
`;

/** The database's clock in epoch milliseconds: leases are written and judged with it only. */
export const SQL_NOW_MS = "(extract(epoch from clock_timestamp()) * 1000)::bigint";
