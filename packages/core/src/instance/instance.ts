import path from "node:path";
import { partitionsName } from "../definitions/partitions.ts";
import type { DynamicPartitionsDefinition, DynamicPartitionWriter } from "../definitions/types.ts";
import { StorageError } from "../errors.ts";
import { ensureWritableDirectory } from "./home-directory.ts";
import { synchronousPartitionWriter } from "./storage/partition-writer.ts";
import { SqliteStorage } from "./storage/sqlite/sqlite-storage.ts";
import type { Instance, Page, Storage } from "./types.ts";

export type { Instance } from "./types.ts";

export const INSTANCE_DB_FILE = "instance.db";
export const LOGS_DIR = "logs";

const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export interface OpenInstanceOptions {
  /**
   * The storage to record runs, events, partitions and claims in, already open (e.g. a
   * PostgreSQL storage from @daydream/postgres). Default: the SQLite file `<home>/instance.db`.
   * The instance takes ownership: closing the instance closes it.
   */
  storage?: Storage;
}

/**
 * Opens the instance at `home` (created when missing, with `logs/`): by default the SQLite
 * database `<home>/instance.db`, migrated to the current schema. Unfinished runs whose lease
 * expired, or whose process on this host is gone, are marked `interrupted` and their step
 * claims released. A corrupt, read-only or too-new database, or an unwritable home, is a
 * StorageError; stored data is never modified in that case.
 */
export function openInstance(home: string, opts: OpenInstanceOptions = {}): Instance {
  const absoluteHome = path.resolve(home);
  let storage: Storage | undefined = opts.storage;
  try {
    ensureWritableDirectory(absoluteHome, "assets home");
    const logsDir = path.join(absoluteHome, LOGS_DIR);
    ensureWritableDirectory(logsDir, "logs directory");
    const opened = storage ?? new SqliteStorage(path.join(absoluteHome, INSTANCE_DB_FILE));
    storage = opened;
    opened.markDeadRunsInterrupted();
    return new OpenedInstance(absoluteHome, logsDir, opened);
  } catch (err) {
    storage?.close();
    throw err;
  }
}

class OpenedInstance implements Instance {
  readonly storageLocation: string;

  constructor(
    readonly home: string,
    readonly logsDir: string,
    readonly storage: Storage,
  ) {
    this.storageLocation = storage.location;
  }

  logPathFor(runId: string): string {
    // The run id becomes a file name: refuse anything that could leave logsDir.
    if (!RUN_ID_PATTERN.test(runId) || runId.includes("..")) {
      throw new StorageError("invalid_run_id", `run id ${JSON.stringify(runId)} cannot name a log file`, {
        userError: false,
        context: { runId },
        hint: "use letters, digits, '-', '_' and '.' (e.g. crypto.randomUUID())",
      });
    }
    return path.join(this.logsDir, `${runId}.jsonl`);
  }

  addDynamicPartitions(def: DynamicPartitionsDefinition | string, keys: Iterable<string>): number {
    return this.storage.addDynamicPartitions(partitionsName(def), keys);
  }

  openPartitionWriter(): DynamicPartitionWriter {
    const writer = this.storage.openPartitionWriter?.() ?? synchronousPartitionWriter(this.storage);
    return {
      add: (def, keys) => writer.add(partitionsName(def), keys),
      close: () => writer.close(),
    };
  }

  getDynamicPartitions(def: DynamicPartitionsDefinition | string, page?: Page): string[] {
    return this.storage.getDynamicPartitions(partitionsName(def), page);
  }

  hasDynamicPartition(def: DynamicPartitionsDefinition | string, key: string): boolean {
    return this.storage.hasDynamicPartition(partitionsName(def), key);
  }

  countDynamicPartitions(def: DynamicPartitionsDefinition | string): number {
    return this.storage.countDynamicPartitions(partitionsName(def));
  }

  deleteDynamicPartitions(def: DynamicPartitionsDefinition | string, keys: Iterable<string>): number {
    return this.storage.deleteDynamicPartitions(partitionsName(def), keys);
  }

  close(): void {
    this.storage.close();
  }
}

/** Narrows an Instance's storage to the SQLite implementation (for integrity checks in tests and tools). */
export function sqliteStorageOf(instance: Instance): SqliteStorage | undefined {
  const storage: Storage = instance.storage;
  return storage instanceof SqliteStorage ? storage : undefined;
}
