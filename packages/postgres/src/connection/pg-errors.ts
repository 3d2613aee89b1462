import { AssetsError, StorageError } from "@daydream/core";
import { type PostgresTarget, scrubPassword } from "./postgres-url.ts";

/** A PostgreSQL or network error as the worker thread reports it. */
export interface DriverError {
  message: string;
  code?: string;
  detail?: string;
  constraint?: string;
}

const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ECONNRESET",
]);

/** Errors that a retry of the whole transaction resolves (deadlock, serialization failure). */
export function isTransient(err: unknown): boolean {
  const code = (err as { pgCode?: string }).pgCode;
  return code === "40P01" || code === "40001";
}

/**
 * A StorageError naming the host and database (never the password), with a hint; `pgCode`
 * keeps PostgreSQL's SQLSTATE for callers that branch on it (e.g. unique violations).
 */
export function toStorageError(error: DriverError, target: PostgresTarget, operation: string): StorageError {
  const where = `PostgreSQL ${target.masked}`;
  const message = scrubPassword(error.message, target);
  const context = { host: target.host, database: target.database, operation };
  const code = error.code ?? "";
  let result: StorageError;
  if (UNREACHABLE.has(code) || /timeout expired|Connection terminated/i.test(error.message)) {
    result = new StorageError("database_unreachable", `cannot reach ${where} (${operation}): ${message}`, {
      context,
      hint: `check that the server at ${target.host} is running and reachable (for a local one: npx assets dev postgres)`,
    });
  } else if (code === "28P01" || code === "28000") {
    result = new StorageError("database_auth", `${where} refused the login (${operation}): ${message}`, {
      context,
      hint: "check the user name and password in ASSETS_STORAGE (or storage: in assets.yaml)",
    });
  } else if (code === "3D000") {
    result = new StorageError(
      "database_missing",
      `database "${target.database}" does not exist on ${target.host}`,
      {
        context,
        hint: `create it (e.g. createdb -h ${target.host.split(":")[0]} ${target.database}) or fix the database name in the URL`,
      },
    );
  } else if (code.startsWith("08") || code === "57P01" || code === "57P03") {
    result = new StorageError(
      "database_unreachable",
      `lost the connection to ${where} (${operation}): ${message}`,
      {
        context,
        hint: "check the server's health and retry; the interrupted transaction was rolled back",
      },
    );
  } else if (isTransientCode(code)) {
    result = new StorageError(
      "database_busy",
      `${where}: ${operation} kept conflicting with another process: ${message}`,
      {
        userError: false,
        context,
        hint: "retry; if it persists, fewer processes should share this instance at once",
      },
    );
  } else {
    result = new StorageError("database_error", `${where}: ${operation} failed: ${message}`, {
      userError: false,
      context: { ...context, sqlstate: code },
      hint: "this is probably a bug in the storage layer; report it with the message above",
    });
  }
  Object.defineProperty(result, "pgCode", { value: code, enumerable: false });
  return result;
}

function isTransientCode(code: string): boolean {
  return code === "40P01" || code === "40001";
}

/** The SQLSTATE of an error raised by SyncConnection, if any. */
export function pgCodeOf(err: unknown): string | undefined {
  if (!(err instanceof AssetsError)) return undefined;
  return (err as { pgCode?: string }).pgCode;
}
