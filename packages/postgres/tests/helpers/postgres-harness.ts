import path from "node:path";
import type { StorageHarness } from "@daydream/core/testing";
import { MIGRATIONS, parsePostgresUrl } from "@daydream/postgres";
import pg from "pg";
import { testSchemaUrl } from "../../src/testing/test-database.ts";
import { openStorage } from "./open-postgres-storage.ts";

/**
 * The conformance harness of the PostgreSQL storage: each location is a fresh schema on the
 * test server (`baseUrl`), dropped by `dispose`.
 */
export function postgresHarness(baseUrl: string): StorageHarness {
  const drops: (() => Promise<void>)[] = [];
  return {
    name: "PostgreSQL",
    freshLocation: (label) => {
      const schema = testSchemaUrl(baseUrl, label);
      drops.push(schema.drop);
      return schema.url;
    },
    printedLocation: (url) => {
      const masked = new URL(url);
      masked.password = "***";
      return masked.href;
    },
    open: openStorage,
    childOpener: path.join(import.meta.dirname, "open-postgres-storage.ts"),
    schemaVersion: async (url) => {
      const { schema } = parsePostgresUrl(url);
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ version: number }>(
          `SELECT version FROM "${schema}".assets_schema_migrations ORDER BY version`,
        );
        const versions = rows.map((r) => r.version);
        // each migration recorded exactly once, in order
        if (versions.some((v, i) => v !== i + 1))
          throw new Error(`migrations recorded as ${versions.join(", ")}`);
        return { found: versions.length, latest: MIGRATIONS[MIGRATIONS.length - 1].version };
      } finally {
        await client.end();
      }
    },
    dispose: async () => {
      // A few at a time: each drop is its own connection.
      const pending = drops.splice(0);
      while (pending.length > 0) await Promise.all(pending.splice(0, 8).map((drop) => drop()));
    },
  };
}
