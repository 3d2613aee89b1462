import {
  type MigrationLedger,
  migrate,
  type PostgresMigration,
  type SyncConnection,
} from "@daydream/postgres";

/**
 * Version 1: a queued run's plan. Every node of the plan (steps, then barriers) is a row; a node
 * becomes ready when `waiting_on` (its unfinished upstream nodes) reaches 0. Barrier rows have no
 * asset key; `worker_run` is the worker's run computing a step
 * (its lease tells whether that worker is alive). `open_nodes` counts the nodes not settled yet (the run ends at 0, with no scan of its steps). `run_config` keeps the run's config (JSON) for the workers that run its steps.
 */
const QUEUE_V1 = `
CREATE TABLE queue_runs (
  run_id TEXT COLLATE "C" PRIMARY KEY REFERENCES runs (run_id),
  queue_name TEXT NOT NULL,
  recheck BOOLEAN NOT NULL,
  checks BOOLEAN NOT NULL,
  run_config TEXT,
  open_nodes INTEGER NOT NULL
);

CREATE TABLE queue_steps (
  run_id TEXT COLLATE "C" NOT NULL REFERENCES queue_runs (run_id),
  node INTEGER NOT NULL,
  asset_key TEXT COLLATE "C",
  partition_key TEXT COLLATE "C",
  status TEXT NOT NULL CHECK (status IN ('waiting', 'queued', 'succeeded', 'failed', 'skipped', 'canceled')),
  waiting_on INTEGER NOT NULL,
  downstream INTEGER[] NOT NULL,
  worker_run TEXT COLLATE "C",
  PRIMARY KEY (run_id, node)
);
CREATE INDEX queue_steps_by_step ON queue_steps (asset_key, partition_key) WHERE status IN ('waiting', 'queued');
CREATE INDEX queue_steps_open ON queue_steps (run_id) WHERE status IN ('waiting', 'queued');
-- The instance's shared data root: the marker its file holds, and where it was first seen.
CREATE TABLE queue_shared_root (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  marker TEXT NOT NULL,
  path TEXT NOT NULL,
  host TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE INDEX queue_steps_running ON queue_steps (worker_run) WHERE worker_run IS NOT NULL;
`;

/**
 * Version 2: the graphile-worker pool of each worker run. A pool fetches jobs ahead into its
 * local queue (locked by the pool's id, not yet taken): when its worker run is over, those jobs
 * are enqueued again rather than left locked for hours.
 */
const QUEUE_V2 = `
CREATE TABLE queue_worker_pools (
  pool_id TEXT COLLATE "C" PRIMARY KEY,
  worker_run TEXT COLLATE "C" NOT NULL REFERENCES runs (run_id)
);
`;

export const QUEUE_MIGRATIONS: readonly PostgresMigration[] = [
  { version: 1, description: "queued runs and their plans", sql: QUEUE_V1 },
  { version: 2, description: "worker pools", sql: QUEUE_V2 },
];

const QUEUE_LEDGER: MigrationLedger = {
  table: "assets_queue_migrations",
  lock: 0x6461_7971,
  owner: "@daydream/queue",
};

/** Creates or upgrades the queue's tables beside the instance's (same database and schema). */
export function migrateQueue(conn: SyncConnection): void {
  migrate(conn, QUEUE_MIGRATIONS, QUEUE_LEDGER);
}
