import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { StorageError } from "../../../errors.ts";
import { assertSchemaNotNewer, MIGRATIONS, type Migration, migrate } from "./migrations.ts";
import {
  BUSY_TIMEOUT_MS,
  isCorruptionError,
  notADatabaseError,
  readOnlyError,
  toStorageError,
} from "./sqlite-errors.ts";

const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");
/** Page size of new instance databases (see openDatabase). */
const PAGE_SIZE = 8192;

/**
 * Opens (creating when absent) the instance database, configured for WAL and
 * migrated to the latest schema. Everything that can be checked without
 * writing is checked first, so a foreign, corrupt, read-only or too-new file is
 * reported and left byte-for-byte untouched.
 */
export function openSqliteDatabase(
  dbPath: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Database.Database {
  const exists = checkExistingFile(dbPath);
  checkWritable(dbPath, exists);
  let db: Database.Database;
  try {
    db = new Database(dbPath, { timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw toStorageError(err, dbPath, "open");
  }
  try {
    // Reading the header-backed version is the first access: a bad file fails here, before any write.
    assertSchemaNotNewer(db, dbPath, migrations);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Takes effect only on a new file (before its first write). Bigger pages than the default
    // 4 KiB make registering tens of thousands of partition keys ~25% faster (fewer page splits
    // of the key index) while a step's commit still writes only a few pages.
    db.pragma(`page_size = ${PAGE_SIZE}`);
    enableWal(db);
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    migrate(db, dbPath, migrations);
    return db;
  } catch (err) {
    db.close();
    if (isCorruptionError(err)) throw notADatabaseError(dbPath, (err as Error).message, err);
    throw toStorageError(err, dbPath, "open");
  }
}

/** Returns whether the file exists; rejects directories and files without the SQLite header. */
function checkExistingFile(dbPath: string): boolean {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dbPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw fsError(dbPath, "inspect", err);
  }
  if (!stat.isFile()) {
    throw new StorageError("database_not_a_file", `instance database ${dbPath} is not a regular file`, {
      context: { file: dbPath },
      hint: "remove or rename whatever is at that path, or set ASSETS_HOME to another directory",
    });
  }
  // SQLite treats an empty file as a new database; anything else must start with its header.
  if (stat.size === 0) return true;
  const header = Buffer.alloc(SQLITE_HEADER.length);
  let fd: number | undefined;
  try {
    fd = fs.openSync(dbPath, "r");
    const read = fs.readSync(fd, header, 0, header.length, 0);
    if (read < header.length || !header.equals(SQLITE_HEADER)) {
      throw notADatabaseError(dbPath, "the file does not start with the SQLite header");
    }
  } catch (err) {
    if (err instanceof StorageError) throw err;
    throw fsError(dbPath, "read", err);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  return true;
}

/** SQLite would silently open a read-only file read-only and fail later; say so up front. */
function checkWritable(dbPath: string, exists: boolean): void {
  const dir = path.dirname(dbPath);
  if (exists && !canWrite(dbPath)) throw readOnlyError(dbPath, "the file is read-only");
  if (!canWrite(dir)) {
    throw readOnlyError(
      dbPath,
      `its directory ${dir} is read-only (SQLite keeps its -wal and -shm files there)`,
    );
  }
}

function canWrite(target: string): boolean {
  try {
    fs.accessSync(target, fs.constants.W_OK);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") return false;
    throw fsError(target, "check permissions of", err);
  }
}

function fsError(file: string, action: string, err: unknown): StorageError {
  const e = err as NodeJS.ErrnoException;
  return new StorageError("database_io", `cannot ${action} ${file}: ${e.code ?? e.message}`, {
    cause: err,
    context: { file },
    hint: "check that the path and its parent directories exist and are accessible",
  });
}

/**
 * Switches the database to WAL. Changing the journal mode needs an exclusive lock, and SQLite
 * answers SQLITE_BUSY at once, without its busy handler, when another connection is opening or
 * migrating the same new file at that moment: retried here for up to the busy timeout.
 */
function enableWal(db: Database.Database): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    try {
      db.pragma("journal_mode = WAL");
      return;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== "string" || !code.startsWith("SQLITE_BUSY") || Date.now() >= deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
    }
  }
}
