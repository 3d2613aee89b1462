import type Database from "better-sqlite3";
import { validatePartitionKeys } from "../../../definitions/partition-key.ts";
import type { Page } from "../../types.ts";
import { pageBounds } from "../paging.ts";
import { assertPartitionsName } from "../validation.ts";

export const SQL_PARTITION_PAGE =
  "SELECT key FROM dynamic_partitions WHERE name = ? ORDER BY position LIMIT ? OFFSET ?";
export const SQL_HAS_PARTITION = "SELECT 1 FROM dynamic_partitions WHERE name = ? AND key = ?";

/** Keys per INSERT statement: bounds the size of one JSON argument. */
const ADD_CHUNK = 50_000;

/**
 * One statement per chunk: SQLite walks the JSON array itself, which is several times faster
 * than one driver call per key. OR IGNORE skips keys already present (UNIQUE (name, key)).
 * A key's position is base + its index in the chunk; skipped keys leave gaps, order is kept.
 */
export const SQL_ADD_PARTITIONS_JSON = `INSERT OR IGNORE INTO dynamic_partitions (name, position, key)
       SELECT ?, ? + json_each.key, json_each.value FROM json_each(?)`;
export const SQL_LAST_POSITION = "SELECT coalesce(max(position), 0) FROM dynamic_partitions WHERE name = ?";

/** A JSON array of keys for SQL_ADD_PARTITIONS_JSON, and how many it holds. */
export interface KeyChunk {
  json: string;
  count: number;
}

export function keyChunks(keys: readonly string[]): KeyChunk[] {
  const chunks: KeyChunk[] = [];
  for (let start = 0; start < keys.length; start += ADD_CHUNK) {
    const chunk = keys.slice(start, start + ADD_CHUNK);
    chunks.push({ json: JSON.stringify(chunk), count: chunk.length });
  }
  return chunks;
}

/** Dynamic partition keys: add-only (idempotent), kept in insertion order per definition name. */
export class DynamicPartitionQueries {
  private readonly insertJson: Database.Statement<[string, number, string]>;
  private readonly lastPosition: Database.Statement<[string], number>;
  private readonly page: Database.Statement<[string, number, number], string>;
  private readonly exists: Database.Statement<[string, string], number>;
  private readonly countOf: Database.Statement<[string], number>;
  private readonly remove: Database.Statement<[string, string]>;
  private readonly countRemovals: Database.Statement<[string]>;
  private readonly keysVersion: Database.Statement<[string, string], [number, number]>;
  private readonly definitions: Database.Statement<[], { name: string; count: number }>;
  private readonly addBatch: Database.Transaction<(name: string, keys: readonly string[]) => number>;
  private readonly deleteBatch: Database.Transaction<(name: string, keys: readonly string[]) => number>;

  constructor(db: Database.Database) {
    this.insertJson = db.prepare(SQL_ADD_PARTITIONS_JSON);
    this.lastPosition = db.prepare(SQL_LAST_POSITION).pluck() as Database.Statement<[string], number>;
    this.page = db.prepare(SQL_PARTITION_PAGE).pluck() as Database.Statement<
      [string, number, number],
      string
    >;
    this.exists = db.prepare(SQL_HAS_PARTITION).pluck() as Database.Statement<[string, string], number>;
    this.countOf = db
      .prepare("SELECT count(*) FROM dynamic_partitions WHERE name = ?")
      .pluck() as Database.Statement<[string], number>;
    this.remove = db.prepare("DELETE FROM dynamic_partitions WHERE name = ? AND key = ?");
    this.definitions = db.prepare(
      "SELECT name, count(*) AS count FROM dynamic_partitions GROUP BY name ORDER BY name",
    );
    this.addBatch = db.transaction((name: string, keys: readonly string[]) => {
      // Positions are handed out under the write lock (IMMEDIATE), so they cannot collide.
      let base = (this.lastPosition.get(name) ?? 0) + 1;
      let added = 0;
      for (const chunk of keyChunks(keys)) {
        added += this.insertJson.run(name, base, chunk.json).changes;
        base += chunk.count;
      }
      return added;
    });
    this.countRemovals = db.prepare(
      `INSERT INTO dynamic_partition_removals (name, removals) VALUES (?, 1)
       ON CONFLICT (name) DO UPDATE SET removals = removals + 1`,
    );
    // Positions only grow while nothing is removed (a new key goes after the last one), and a
    // removal is counted: the pair moves whenever the keys change.
    this.keysVersion = db
      .prepare(
        `SELECT coalesce((SELECT max(position) FROM dynamic_partitions WHERE name = ?), 0),
           coalesce((SELECT removals FROM dynamic_partition_removals WHERE name = ?), 0)`,
      )
      .raw() as Database.Statement<[string, string], [number, number]>;
    this.deleteBatch = db.transaction((name: string, keys: readonly string[]) => {
      let removed = 0;
      for (const key of keys) removed += this.remove.run(name, key).changes;
      if (removed > 0) this.countRemovals.run(name);
      return removed;
    });
  }

  /** Validates every key first (nothing is written if one is bad); returns how many were new. */
  add(name: string, keys: Iterable<string>): number {
    assertPartitionsName(name);
    const list = validatePartitionKeys(keys, name);
    if (list.length === 0) return 0;
    return this.addBatch.immediate(name, list);
  }

  list(name: string, page?: Page): string[] {
    assertPartitionsName(name);
    const { limit, offset } = pageBounds(page);
    return this.page.all(name, limit, offset);
  }

  has(name: string, key: string): boolean {
    assertPartitionsName(name);
    return this.exists.get(name, key) !== undefined;
  }

  /** Moves whenever the definition's keys change (see keysVersion). */
  version(name: string): string {
    assertPartitionsName(name);
    const [last, removals] = this.keysVersion.get(name, name) ?? [0, 0];
    return `${last}:${removals}`;
  }

  count(name: string): number {
    assertPartitionsName(name);
    return this.countOf.get(name) ?? 0;
  }

  /** Deletes only the keys given; returns how many existed. */
  delete(name: string, keys: Iterable<string>): number {
    assertPartitionsName(name);
    const list = Array.from(keys);
    if (list.length === 0) return 0;
    return this.deleteBatch.immediate(name, list);
  }

  listDefinitions(): { name: string; count: number }[] {
    return this.definitions.all();
  }
}
