import { describe, expect, it } from "vitest";
import { StorageError } from "../../../errors.ts";
import type { CheckResultRecord } from "../../check-records.ts";
import type { Storage } from "../../types.ts";
import type { TestInstance } from "./harness.ts";

function result(
  partitionKey: string,
  checkName: string,
  over: Partial<CheckResultRecord> = {},
): CheckResultRecord {
  return {
    assetKey: "drafts",
    checkName,
    partitionKey,
    runId: null,
    timestamp: "2026-01-01T00:00:00.000Z",
    passed: true,
    severity: "error",
    blocking: false,
    description: null,
    metadata: null,
    ...over,
  };
}

export function checkResultCases(instance: () => TestInstance): void {
  const storage = (): Storage => instance().storage;
  describe("asset check results", () => {
    it("keeps the latest result per (asset, check, partition) with its metadata", () => {
      storage().recordCheckResults([result("a", "non_empty"), result("b", "non_empty")]);
      storage().recordCheckResults([
        result("a", "non_empty", {
          passed: false,
          blocking: true,
          description: "parsed.txt is empty",
          metadata: { bytes: 0 },
          timestamp: "2026-01-02T00:00:00.000Z",
        }),
      ]);
      const all = storage().listCheckResults("drafts");
      expect(all.map((r) => [r.partitionKey, r.passed])).toEqual([
        ["a", false],
        ["b", true],
      ]);
      expect(all[0]).toMatchObject({
        blocking: true,
        description: "parsed.txt is empty",
        metadata: { bytes: 0 },
      });
      expect(
        storage()
          .listCheckResults("drafts", { outcome: "failed" })
          .map((r) => r.partitionKey),
      ).toEqual(["a"]);
      expect(storage().listCheckResults("drafts", { partitionKey: "b" })).toHaveLength(1);
      expect(storage().listCheckResults("other")).toEqual([]);
    });

    it("summarizes the latest outcomes per check", () => {
      storage().recordCheckResults([
        result("a", "non_empty"),
        result("b", "non_empty", { passed: false, blocking: true }),
        result("c", "non_empty", { passed: false, severity: "warn" }),
        result("a", "score_range", { passed: false, timestamp: "2026-03-01T00:00:00.000Z" }),
      ]);
      expect(storage().summarizeCheckResults("drafts")).toEqual([
        {
          checkName: "non_empty",
          passed: 1,
          warned: 1,
          failed: 1,
          blocking: 1,
          lastAt: "2026-01-01T00:00:00.000Z",
        },
        {
          checkName: "score_range",
          passed: 0,
          warned: 0,
          failed: 1,
          blocking: 0,
          lastAt: "2026-03-01T00:00:00.000Z",
        },
      ]);
    });

    it("rejects a batch with an invalid result as a whole", () => {
      const bad = { ...result("b", "non_empty"), severity: "fatal" } as unknown as CheckResultRecord;
      expect(() => storage().recordCheckResults([result("a", "non_empty"), bad])).toThrow(StorageError);
      expect(storage().listCheckResults("drafts")).toEqual([]);
    });

    it("keeps the last of two results for one (asset, check, partition) in a batch", () => {
      storage().recordCheckResults([
        result("a", "non_empty"),
        result("a", "non_empty", { passed: false, description: "second" }),
      ]);
      expect(
        storage()
          .listCheckResults("drafts")
          .map((r) => [r.passed, r.description]),
      ).toEqual([[false, "second"]]);
    });

    it("filters by check name and pages in check-then-partition order", () => {
      storage().recordCheckResults([
        result("b", "z_check"),
        result("a", "z_check"),
        result("b", "a_check"),
        result("a", "a_check", { passed: false }),
      ]);
      expect(
        storage()
          .listCheckResults("drafts")
          .map((r) => `${r.checkName}/${r.partitionKey}`),
      ).toEqual(["a_check/a", "a_check/b", "z_check/a", "z_check/b"]);
      expect(
        storage()
          .listCheckResults("drafts", { offset: 1, limit: 2 })
          .map((r) => `${r.checkName}/${r.partitionKey}`),
      ).toEqual(["a_check/b", "z_check/a"]);
      expect(storage().listCheckResults("drafts", { checkName: "z_check" })).toHaveLength(2);
      expect(storage().listCheckResults("drafts", { checkName: "a_check", outcome: "passed" })).toHaveLength(
        1,
      );
    });

    it("forgets the results of a wiped partition, and of a wiped asset", () => {
      const s = storage();
      s.recordCheckResults([
        result("a", "non_empty"),
        result("b", "non_empty"),
        result("a", "non_empty", { assetKey: "essays" }),
      ]);
      s.wipeAssetPartitionStates("drafts", "a");
      const keys = (asset: string) => s.listCheckResults(asset).map((r) => r.partitionKey);
      expect(keys("drafts")).toEqual(["b"]);
      expect(keys("essays")).toEqual(["a"]);
      s.wipeAssetPartitionStates("drafts");
      expect(keys("drafts")).toEqual([]);
      expect(keys("essays")).toEqual(["a"]);
    });
  });
}
