import { StorageError } from "@daydream/core";
import type { SyncConnection } from "../connection/sync-connection.ts";
import { SCHEMA_V1, SCHEMA_V2, SCHEMA_V3 } from "./schema.ts";

export interface PostgresMigration {
  /** 1, 2, 3... in order, no gaps. */
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    description: "runs with leases, event log, partition state, dynamic partitions, step claims",
    sql: SCHEMA_V1,
  },
  { version: 2, description: "asset check results; code and data versions", sql: SCHEMA_V2 },
  { version: 3, description: "semaphore slots", sql: SCHEMA_V3 },
];

/** Serializes migrations of one database across processes and machines (an arbitrary constant). */
const MIGRATION_LOCK = 0x6461_7964;

/**
 * Brings the instance's schema to the latest version. Runs under a session advisory lock, so two
 * processes opening a fresh database at once apply each migration exactly once; each migration
 * and its version row commit together. A schema newer than this code is refused untouched.
 */
/** Where a set of migrations keeps its applied versions, and who owns them (for errors). */
export interface MigrationLedger {
  table: string;
  /** Advisory lock key that serializes this set's migrations. */
  lock: number;
  /** The package whose migrations these are. */
  owner: string;
}

export const INSTANCE_LEDGER: MigrationLedger = {
  table: "assets_schema_migrations",
  lock: MIGRATION_LOCK,
  owner: "@daydream/postgres",
};

export function migrate(
  conn: SyncConnection,
  migrations: readonly PostgresMigration[] = MIGRATIONS,
  ledger: MigrationLedger = INSTANCE_LEDGER,
): number[] {
  const schema = conn.target.schema;
  conn.query("SELECT pg_advisory_lock($1)", [ledger.lock], "lock for migration");
  try {
    conn.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`, [], "create schema");
    conn.query(
      `CREATE TABLE IF NOT EXISTS ${ledger.table} (
         version INTEGER PRIMARY KEY,
         description TEXT NOT NULL,
         applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
       )`,
      [],
      "create migrations table",
    );
    const found = currentVersion(conn, ledger.table);
    const latest = migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
    if (found > latest) {
      throw new StorageError(
        "schema_too_new",
        `PostgreSQL instance ${conn.target.masked} has schema version ${found}, newer than this version of the engine understands (${latest})`,
        {
          context: {
            host: conn.target.host,
            database: conn.target.database,
            schemaVersion: found,
            supportedVersion: latest,
          },
          hint: `upgrade ${ledger.owner} to the version that wrote this database, or use another database or ?schema=; nothing was changed`,
        },
      );
    }
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= found) continue;
      conn.transaction(`apply migration ${migration.version}`, () => {
        conn.query(migration.sql, [], `apply migration ${migration.version} (${migration.description})`);
        conn.query(
          `INSERT INTO ${ledger.table} (version, description) VALUES ($1, $2)`,
          [migration.version, migration.description],
          "record migration",
        );
      });
      applied.push(migration.version);
    }
    return applied;
  } finally {
    conn.query("SELECT pg_advisory_unlock($1)", [ledger.lock], "unlock after migration");
  }
}

export function currentVersion(conn: SyncConnection, table = INSTANCE_LEDGER.table): number {
  const { rows } = conn.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${table}`,
    [],
    "read schema version",
  );
  return rows[0]?.version ?? 0;
}
