import type { Storage } from "@daydream/core";
import { PostgresStorage } from "@daydream/postgres";
import { QueueError } from "./queue-errors.ts";

/** The queue keeps its jobs in the instance's PostgreSQL database: any other storage is refused. */
export function requirePostgres(storage: Storage, what: string): PostgresStorage {
  if (storage instanceof PostgresStorage) return storage;
  throw new QueueError(
    "QUEUE_NEEDS_POSTGRES",
    `${what} needs the instance on PostgreSQL; it is ${storage.location}`,
    {
      context: { storage: storage.location },
      hint: "set ASSETS_STORAGE=postgres://user@host:5432/db (or `storage:` in assets.yaml); `npx assets dev postgres` starts a local one. Without it, leave out --executor queue to run in this process",
    },
  );
}
