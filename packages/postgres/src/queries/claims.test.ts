import { StorageError } from "@daydream/core";
import { describe, expect, it } from "vitest";
import type { SyncConnection } from "../connection/sync-connection.ts";
import { ClaimQueries } from "./claims.ts";
import type { RunQueries } from "./runs.ts";

interface Statement {
  operation: string;
  params: unknown[];
}

/**
 * A connection whose claim rounds always take step "a" and always find step "b" held by a
 * run that no longer exists, as if other processes kept taking it between our rounds: the
 * contention a real server produces only under a race no test can time.
 */
function contendedConnection(): { conn: SyncConnection; statements: Statement[] } {
  const statements: Statement[] = [];
  const conn = {
    retrying: <T>(fn: () => T): T => fn(),
    query(_sql: string, params: unknown[] = [], operation = "query") {
      statements.push({ operation, params });
      if (operation === "read run") return { rows: [{ pid: 1, host: "here" }], rowCount: 1 };
      if (operation !== "claim steps") return { rows: [], rowCount: 0 };
      const [assets, partitions] = params as [string[], string[]];
      const rows = assets.map((asset, i) =>
        partitions[i] === "a"
          ? { asset_key: asset, partition_key: "a", run_id: "me", inserted: true }
          : {
              asset_key: asset,
              partition_key: partitions[i],
              run_id: `gone-${statements.length}`,
              pid: null,
              host: null,
              status: null,
              lease_expires_at: null,
              now: 0,
              inserted: false,
            },
      );
      return { rows, rowCount: rows.length };
    },
  } as unknown as SyncConnection;
  return { conn, statements };
}

describe("PostgreSQL claims under contention", () => {
  it("gives back the claims it took when a step keeps changing hands", () => {
    const { conn, statements } = contendedConnection();
    const claims = new ClaimQueries(conn, {} as RunQueries);
    let thrown: unknown;
    try {
      claims.claimMany("me", [
        { assetKey: "s", partitionKey: "a" },
        { assetKey: "s", partitionKey: "b" },
      ]);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(StorageError);
    expect((thrown as StorageError).code).toBe("claim_contention");
    expect((thrown as StorageError).message).toMatch(/s\[b\].*changed hands 4 times/);
    expect(statements.filter((s) => s.operation === "claim steps")).toHaveLength(4);
    // The claim of "a" taken in the first round is released, and nothing else.
    const last = statements.at(-1);
    expect(last?.operation).toBe("release steps");
    expect(last?.params).toEqual([["s"], ["a"], "me"]);
  });
});
