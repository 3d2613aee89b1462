import { StorageError } from "@daydream/core";
import { PostgresStorage } from "@daydream/postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../src/server/free-port.ts";
import { testSchemaUrl } from "../src/testing/test-database.ts";

const SECRET = "s3cr3t-Pa55";

function failure(url: string): StorageError {
  try {
    new PostgresStorage(url, { connectTimeoutMs: 3_000 }).close();
  } catch (err) {
    expect(err).toBeInstanceOf(StorageError);
    return err as StorageError;
  }
  throw new Error(`opening ${url} did not fail`);
}

function withPassword(base: string, password: string, database?: string): string {
  const url = new URL(base);
  url.password = password;
  if (database !== undefined) url.pathname = `/${database}`;
  return url.href;
}

describe("PostgreSQL storage: bad addresses", () => {
  const base = inject("postgresUrl");
  const schema = testSchemaUrl(base, "connection-errors");
  afterAll(() => schema.drop());

  it("names an unreachable server's host and database, never the password", async () => {
    const port = await freePort();
    const err = failure(`postgres://someone:${SECRET}@127.0.0.1:${port}/research`);
    expect(err.code).toBe("database_unreachable");
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.message).toContain("research");
    expect(err.describe()).not.toContain(SECRET);
    expect(err.hint).toContain("npx assets dev postgres");
    expect(err.userError).toBe(true);
  });

  it("says a wrong password was refused without printing it", () => {
    const err = failure(withPassword(base, SECRET));
    expect(err.code).toBe("database_auth");
    expect(err.describe()).not.toContain(SECRET);
    expect(err.message).toContain("***");
  });

  it("says which database does not exist", () => {
    const err = failure(withPassword(base, new URL(base).password, "no_such_db"));
    expect(err.code).toBe("database_missing");
    expect(err.message).toContain('database "no_such_db" does not exist');
    expect(err.hint).toContain("createdb");
  });

  it("refuses a typo'd scheme and a malformed URL", () => {
    expect(failure(`postgress://u:${SECRET}@h/db`).message).toContain('scheme "postgress:"');
    const malformed = failure(`postgres://u:${SECRET}@[bad/db`);
    expect(malformed.code).toBe("invalid_storage_url");
    expect(malformed.describe()).not.toContain(SECRET);
  });

  it("refuses a schema migrated by a newer version, leaving it untouched", () => {
    const storage = new PostgresStorage(schema.url);
    storage.createRun({
      runId: "kept",
      status: "succeeded",
      selection: "a",
      partitionsSummary: "all",
      stepCount: 0,
      pid: 1,
      host: "h",
      tags: {},
    });
    storage.close();
    // An engine that knows no migration is what an older version looks like to this schema.
    expect(() => new PostgresStorage(schema.url, { migrations: [] })).toThrow(
      /schema version 3, newer than this version of the engine understands \(0\)/,
    );
    const reopened = new PostgresStorage(schema.url);
    expect(reopened.getRun("kept")?.status).toBe("succeeded");
    reopened.close();
  });
});
