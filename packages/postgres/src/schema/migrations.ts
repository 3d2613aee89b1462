import { StorageError } from "@daydream/core";
import type { SyncConnection } from "../connection/sync-connection.ts";
import { SCHEMA_V1, SCHEMA_V2 } from "./schema.ts";

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
];

/** Serializes migrations of one database across processes and machines (an arbitrary constant). */
const MIGRATION_LOCK = 0x6461_7964;

/**
 * Brings the instance's schema to the latest version. Runs under a session advisory lock, so two
 * processes opening a fresh database at once apply each migration exactly once; each migration
 * and its version row commit together. A schema newer than this code is refused untouched.
 */
export function migrate(
  conn: SyncConnection,
  migrations: readonly PostgresMigration[] = MIGRATIONS,
): number[] {
  const schema = conn.target.schema;
  conn.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK], "lock for migration");
  try {
    conn.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`, [], "create schema");
    conn.query(
      `CREATE TABLE IF NOT EXISTS assets_schema_migrations (
         version INTEGER PRIMARY KEY,
         description TEXT NOT NULL,
         applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
       )`,
      [],
      "create migrations table",
    );
    const found = currentVersion(conn);
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
          hint: "upgrade @daydream/postgres to the version that wrote this database, or use another database or ?schema=; nothing was changed",
        },
      );
    }
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= found) continue;
      conn.transaction(`apply migration ${migration.version}`, () => {
        conn.query(migration.sql, [], `apply migration ${migration.version} (${migration.description})`);
        conn.query(
          "INSERT INTO assets_schema_migrations (version, description) VALUES ($1, $2)",
          [migration.version, migration.description],
          "record migration",
        );
      });
      applied.push(migration.version);
    }
    return applied;
  } finally {
    conn.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK], "unlock after migration");
  }
}

export function currentVersion(conn: SyncConnection): number {
  const { rows } = conn.query<{ version: number | null }>(
    "SELECT max(version) AS version FROM assets_schema_migrations",
    [],
    "read schema version",
  );
  return rows[0]?.version ?? 0;
}
