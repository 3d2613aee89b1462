import { assertPartitionsName, type Page, pageBounds, validatePartitionKeys } from "@daydream/core";
import type { SyncConnection } from "../connection/sync-connection.ts";

/** Keys per INSERT statement: bounds the size of one array parameter. */
const ADD_CHUNK = 50_000;

/** Dynamic partition keys on PostgreSQL: add-only (idempotent), in insertion order per name. */
export class DynamicPartitionQueries {
  constructor(private readonly conn: SyncConnection) {}

  /** Validates every key first (nothing is written if one is bad); returns how many were new. */
  add(name: string, keys: Iterable<string>): number {
    assertPartitionsName(name);
    const list = validatePartitionKeys(keys, name);
    if (list.length === 0) return 0;
    return this.conn.transaction("add dynamic partitions", () => {
      // Positions are handed out under a per-name lock, so concurrent adders cannot collide.
      this.conn.query(
        "SELECT pg_advisory_xact_lock(hashtext($1))",
        [`dynamic_partitions:${name}`],
        "lock partitions",
      );
      let base =
        this.conn.query<{ last: number }>(
          "SELECT coalesce(max(position), 0) AS last FROM dynamic_partitions WHERE name = $1",
          [name],
          "read last partition position",
        ).rows[0].last + 1;
      let added = 0;
      for (let start = 0; start < list.length; start += ADD_CHUNK) {
        const chunk = list.slice(start, start + ADD_CHUNK);
        added += this.conn.query(
          `INSERT INTO dynamic_partitions (name, key, position)
           SELECT $1, k, $2 + n - 1 FROM unnest($3::text[]) WITH ORDINALITY AS t(k, n)
           ON CONFLICT (name, key) DO NOTHING`,
          [name, base, chunk],
          "add dynamic partitions",
        ).rowCount;
        base += chunk.length;
      }
      return added;
    });
  }

  list(name: string, page?: Page): string[] {
    assertPartitionsName(name);
    const { limit, offset } = pageBounds(page);
    return this.conn
      .query<{ key: string }>(
        "SELECT key FROM dynamic_partitions WHERE name = $1 ORDER BY position LIMIT $2 OFFSET $3",
        [name, limit < 0 ? null : limit, offset],
        "list dynamic partitions",
      )
      .rows.map((r) => r.key);
  }

  has(name: string, key: string): boolean {
    assertPartitionsName(name);
    return (
      this.conn.query(
        "SELECT 1 FROM dynamic_partitions WHERE name = $1 AND key = $2",
        [name, key],
        "look up partition",
      ).rowCount > 0
    );
  }

  count(name: string): number {
    assertPartitionsName(name);
    return this.conn.query<{ n: number }>(
      "SELECT count(*) AS n FROM dynamic_partitions WHERE name = $1",
      [name],
      "count dynamic partitions",
    ).rows[0].n;
  }

  /** Deletes only the keys given; returns how many existed. */
  delete(name: string, keys: Iterable<string>): number {
    assertPartitionsName(name);
    const list = Array.from(keys);
    if (list.length === 0) return 0;
    return this.conn.query(
      "DELETE FROM dynamic_partitions WHERE name = $1 AND key = ANY($2::text[])",
      [name, list],
      "delete dynamic partitions",
    ).rowCount;
  }

  listDefinitions(): { name: string; count: number }[] {
    return this.conn.query<{ name: string; count: number }>(
      "SELECT name, count(*) AS count FROM dynamic_partitions GROUP BY name ORDER BY name",
      [],
      "list dynamic partitions definitions",
    ).rows;
  }
}
