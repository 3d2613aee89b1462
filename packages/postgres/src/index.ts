export { isPostgresUrl, type PostgresTarget, parsePostgresUrl } from "./connection/postgres-url.ts";
export type { QueryResult, SyncConnection } from "./connection/sync-connection.ts";
export { PostgresStorage, type PostgresStorageOptions } from "./postgres-storage.ts";
export type { AppendHook } from "./queries/events.ts";
export { MIGRATIONS, type MigrationLedger, migrate, type PostgresMigration } from "./schema/migrations.ts";
export { type LocalServer, type LocalServerOptions, startLocalServer } from "./server/local-server.ts";
