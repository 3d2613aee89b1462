import type { PostgresStorage } from "@daydream/postgres";
import { workerSchemaOf } from "../steps/jobs.ts";
import { migrateQueue } from "./queue-schema.ts";

/**
 * Creates or upgrades the queue's tables and graphile-worker's schema for the instance; safe to
 * call from several processes at once (both migrate under advisory locks). Returns graphile-worker's schema.
 */
export async function ensureQueueSchema(storage: PostgresStorage): Promise<string> {
  migrateQueue(storage.connection);
  const schema = workerSchemaOf(storage.connection.target);
  // graphile-worker is loaded only by queue commands.
  const { runMigrations } = await import("graphile-worker");
  await runMigrations({
    connectionString: storage.connection.target.connectionString,
    schema,
    logger: await quietLogger(),
  });
  return schema;
}

/** graphile-worker logs to the console by default; the engine reports what matters itself. */
export async function quietLogger() {
  const { Logger } = await import("graphile-worker");
  return new Logger(() => (level, message) => {
    if (String(level) === "error") process.stderr.write(`graphile-worker: ${message}\n`);
  });
}
