/**
 * The Storage conformance suite: one set of cases that every Storage implementation must pass
 * (SQLite in @daydream/core, PostgreSQL in @daydream/postgres), in the style of hono's router
 * tests. A test file calls `describeStorageConformance` with a harness for its implementation.
 */
import { describe } from "vitest";
import { checkResultCases } from "./check-results.cases.ts";
import { claimCases } from "./claims.cases.ts";
import { dynamicPartitionCases } from "./dynamic-partitions.cases.ts";
import { eventCases } from "./events.cases.ts";
import { disposeAfterAll, type StorageHarness, useTestInstance } from "./harness.ts";
import { partitionStateCases } from "./partition-state.cases.ts";
import { raceCases } from "./races.cases.ts";
import { recordBatchCases } from "./record-batch.cases.ts";
import { runCases } from "./runs.cases.ts";
import { semaphoreCases, semaphoreRaceCases } from "./semaphores.cases.ts";

export type { ChildOpener, StorageHarness } from "./harness.ts";

export function describeStorageConformance(harness: StorageHarness): void {
  describe(`Storage conformance: ${harness.name}`, () => {
    disposeAfterAll(harness);
    describe("one process", () => {
      const instance = useTestInstance(harness, "case");
      runCases(instance);
      eventCases(instance);
      partitionStateCases(instance);
      dynamicPartitionCases(instance);
      claimCases(instance);
      checkResultCases(instance);
      recordBatchCases(instance);
      semaphoreCases(instance);
    });
    raceCases(harness);
    semaphoreRaceCases(harness);
  });
}
