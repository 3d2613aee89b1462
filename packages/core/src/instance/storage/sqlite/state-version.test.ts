import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestRun, failure, materialization } from "../../testing/storage-fixtures.ts";
import { makeTempDir, removeTempDir } from "../../testing/temp-dirs.ts";
import { SqliteStorage } from "./sqlite-storage.ts";

let dir: string;
let storage: SqliteStorage;
let runId: string;

beforeEach(() => {
  dir = makeTempDir();
  storage = new SqliteStorage(path.join(dir, "instance.db"));
  runId = createTestRun(storage).runId;
});

afterEach(() => {
  storage.close();
  removeTempDir(dir);
});

describe("the version of an asset's states on SQLite", () => {
  it("moves on every outcome and wipe of the asset, and only then", () => {
    const seen = new Set<string>();
    const next = () => {
      const version = storage.assetStateVersion("squares");
      expect(seen.has(version)).toBe(false);
      seen.add(version);
    };
    const empty = storage.assetStateVersion("squares");
    next();
    storage.appendEvents([materialization(runId, "squares", "a"), materialization(runId, "squares", "b")]);
    next();
    const before = storage.assetStateVersion("squares");
    storage.appendEvents([materialization(runId, "other", "a")]);
    storage.materializedPartitionKeys("squares");
    expect(storage.assetStateVersion("squares")).toBe(before);
    storage.appendEvents([materialization(runId, "squares", "a")]);
    next();
    storage.appendEvents([failure(runId, "squares", "b", "boom")]);
    next();
    // Wiping a partition whose event is not the latest one of the asset still changes it.
    storage.wipeAssetPartitionStates("squares", "a");
    next();
    storage.wipeAssetPartitionStates("squares");
    // No states again, as at first: whatever was read from the empty states still holds.
    expect(storage.assetStateVersion("squares")).toBe(empty);
  });
});
