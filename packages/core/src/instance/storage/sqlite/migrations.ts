import type Database from "better-sqlite3";
import { StorageError } from "../../../errors.ts";
import {
  SCHEMA_V1,
  SCHEMA_V2,
  SCHEMA_V3,
  SCHEMA_V4,
  SCHEMA_V5,
  SCHEMA_V6,
  SCHEMA_V7,
  SCHEMA_V8,
  SCHEMA_V9,
} from "./schema.ts";

/**
 * Versioned migrations. The database's schema version lives in SQLite's
 * `PRAGMA user_version`, which is updated in the same transaction as the
 * migration it records, so a migration is applied entirely or not at all.
 */
export interface Migration {
  /** 1, 2, 3... in order, no gaps. */
  version: number;
  description: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: "initial schema", up: (db) => db.exec(SCHEMA_V1) },
  {
    version: 2,
    description: "index partition state by recency",
    up: (db) => db.exec(SCHEMA_V2),
  },
  {
    version: 3,
    description: "drop the unused event_log index by asset",
    up: (db) => db.exec(SCHEMA_V3),
  },
  { version: 4, description: "run leases", up: (db) => db.exec(SCHEMA_V4) },
  { version: 5, description: "asset check results", up: (db) => db.exec(SCHEMA_V5) },
  { version: 6, description: "code and data versions", up: (db) => db.exec(SCHEMA_V6) },
  { version: 7, description: "semaphore slots", up: (db) => db.exec(SCHEMA_V7) },
  { version: 8, description: "recorded inputs as rows", up: (db) => db.exec(SCHEMA_V8) },
  { version: 9, description: "wipes per asset, recorded inputs by upstream", up: (db) => db.exec(SCHEMA_V9) },
];

export function latestSchemaVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
}

export function readSchemaVersion(db: Database.Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/** Refuses a database written by newer code: its tables may mean something this code does not know. */
export function assertSchemaNotNewer(db: Database.Database, dbPath: string, migrations = MIGRATIONS): void {
  const found = readSchemaVersion(db);
  const latest = latestSchemaVersion(migrations);
  if (found > latest) {
    throw new StorageError(
      "schema_too_new",
      `instance database ${dbPath} has schema version ${found}, newer than this version of the engine understands (${latest})`,
      {
        context: { file: dbPath, schemaVersion: found, supportedVersion: latest },
        hint: "upgrade @daydream/core to the version that wrote this database, or point ASSETS_HOME at another directory; the database was left untouched",
      },
    );
  }
}

/**
 * Applies the pending migrations in order, each in its own IMMEDIATE
 * transaction. The version is re-read under the write lock so that two
 * processes opening a fresh database at once do not apply a migration twice.
 * Returns the versions applied.
 */
export function migrate(db: Database.Database, dbPath: string, migrations = MIGRATIONS): number[] {
  assertOrdered(migrations);
  assertSchemaNotNewer(db, dbPath, migrations);
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= readSchemaVersion(db)) continue;
    const apply = db.transaction(() => {
      if (migration.version <= readSchemaVersion(db)) return false;
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
      return true;
    });
    try {
      if (apply.immediate()) applied.push(migration.version);
    } catch (err) {
      throw new StorageError(
        "migration_failed",
        `migration ${migration.version} (${migration.description}) of instance database ${dbPath} failed: ${(err as Error).message}`,
        {
          cause: err,
          userError: false,
          context: { file: dbPath, migration: migration.version },
          hint: "the migration was rolled back and the database is unchanged; report this with the message above",
        },
      );
    }
  }
  return applied;
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration list out of order: entry ${i} has version ${m.version}, expected ${i + 1}`);
    }
  });
}
