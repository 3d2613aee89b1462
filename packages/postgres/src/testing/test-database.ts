import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * A fresh schema on the test server for one test file (isolated from every other file, and from
 * earlier runs on a shared server): returns its URL and a function that drops it.
 */
export function testSchemaUrl(baseUrl: string, label: string): { url: string; drop: () => Promise<void> } {
  const schema = `t_${label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .slice(0, 30)}_${randomBytes(4).toString("hex")}`;
  const url = new URL(baseUrl);
  url.searchParams.set("schema", schema);
  return {
    url: url.href,
    drop: async () => {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        // The queue executor keeps graphile-worker's tables in a schema beside the instance's.
        await client.query(`DROP SCHEMA IF EXISTS "${schema}", "${schema}_graphile_worker" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
