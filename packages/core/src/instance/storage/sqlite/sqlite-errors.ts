import Database from "better-sqlite3";
import { AssetsError, StorageError } from "../../../errors.ts";

export const BUSY_TIMEOUT_MS = 5000;

/** True when `err` says the file is not (or no longer) a readable SQLite database. */
export function isCorruptionError(err: unknown): boolean {
  const code = sqliteCode(err);
  return code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT");
}

export function notADatabaseError(dbPath: string, detail: string, cause?: unknown): StorageError {
  return new StorageError(
    "database_corrupt",
    `instance database ${dbPath} is not a valid SQLite database (${detail})`,
    {
      cause,
      context: { file: dbPath },
      hint: `move it aside (mv "${dbPath}" "${dbPath}.broken") to start a fresh instance, or restore it from a backup; it was left untouched`,
    },
  );
}

export function readOnlyError(dbPath: string, what: string, cause?: unknown): StorageError {
  return new StorageError("database_read_only", `instance database ${dbPath} cannot be written: ${what}`, {
    cause,
    context: { file: dbPath },
    hint: `make it writable (chmod u+w "${dbPath}" and its directory) or set ASSETS_HOME to a writable directory`,
  });
}

/**
 * Turns a driver error into a StorageError that names the database and the
 * operation; errors that are already AssetsErrors pass through unchanged.
 */
export function toStorageError(err: unknown, dbPath: string, operation: string): Error {
  if (err instanceof AssetsError || !(err instanceof Database.SqliteError)) return err as Error;
  const code = err.code;
  if (isCorruptionError(err)) return notADatabaseError(dbPath, `${operation}: ${err.message}`, err);
  if (code.startsWith("SQLITE_READONLY")) return readOnlyError(dbPath, `${operation}: ${err.message}`, err);
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new StorageError(
      "database_busy",
      `instance database ${dbPath} stayed locked by another process for over ${BUSY_TIMEOUT_MS / 1000} s (${operation})`,
      {
        cause: err,
        userError: false,
        context: { file: dbPath, operation },
        hint: "another assets process is writing to this instance; retry when it is done",
      },
    );
  }
  if (code === "SQLITE_FULL") {
    return new StorageError(
      "disk_full",
      `disk full while writing instance database ${dbPath} (${operation})`,
      {
        cause: err,
        userError: false,
        context: { file: dbPath, operation },
        hint: "free disk space and retry; the interrupted transaction was rolled back",
      },
    );
  }
  if (code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_IOERR")) {
    return new StorageError(
      "database_io",
      `cannot ${operation} instance database ${dbPath}: ${err.message}`,
      {
        cause: err,
        context: { file: dbPath, operation },
        hint: "check that the path exists, is a regular file and that its directory is readable and writable",
      },
    );
  }
  return new StorageError(
    "database_error",
    `instance database ${dbPath}: ${operation} failed: ${err.message}`,
    {
      cause: err,
      userError: false,
      context: { file: dbPath, operation, sqliteCode: code },
      hint: "this is probably a bug in the storage layer; report it with the message above",
    },
  );
}

function sqliteCode(err: unknown): string {
  return err instanceof Database.SqliteError ? err.code : "";
}
