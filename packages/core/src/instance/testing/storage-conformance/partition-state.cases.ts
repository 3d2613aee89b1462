import { describe, expect, it } from "vitest";
import type {
  AssetPartitionState,
  EventRecord,
  MaterializationVersions,
  RecordedCodeVersion,
} from "../../types.ts";
import { createTestRun, failure, materialization } from "../storage-fixtures.ts";
import type { TestInstance } from "./harness.ts";
import { thrown } from "./thrown.ts";

/** Partition keys whose byte-wise (UTF-8) order differs from JavaScript's and from locale order. */
const UNICODE_KEYS = ["b", "B", "a_b", "Z", "é", "e", "ä", "😀", "ｚ", "中", "a b", "10", "9", "~x"];

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

const partitionKeys = (states: AssetPartitionState[]) => states.map((s) => s.partitionKey);

/** A state without `versions`: the exact comparisons below cover every other field. */
function common(state: AssetPartitionState | undefined): Omit<AssetPartitionState, "versions"> | undefined {
  if (state === undefined) return undefined;
  const { versions: _versions, ...rest } = state;
  return rest;
}

export function partitionStateCases(instance: () => TestInstance): void {
  describe("latest state per (asset, partition)", () => {
    it("records a materialization as the partition's state", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      const event = materialization(runId, "squares", "4", { value: 16, note: "ok" });
      storage.appendEvents([event]);
      expect(common(storage.getAssetPartitionState("squares", "4"))).toEqual({
        assetKey: "squares",
        partitionKey: "4",
        status: "materialized",
        runId,
        timestamp: event.timestamp,
        durationMs: 12,
        metadata: { value: 16, note: "ok" },
        error: null,
        lastMaterialization: { runId, timestamp: event.timestamp },
      });
      expect(storage.getAssetPartitionState("squares", "5")).toBeUndefined();
      expect(storage.getAssetPartitionState("cubes", "4")).toBeUndefined();
    });

    it("ignores events that are not outcomes", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      const at = new Date().toISOString();
      storage.appendEvents([
        { runId, type: "step_start", assetKey: "squares", partitionKey: "1", timestamp: at },
        { runId, type: "step_skipped", assetKey: "squares", partitionKey: "2", timestamp: at, message: "no" },
      ]);
      expect(storage.countAssetPartitionStates("squares")).toEqual({ materialized: 0, failed: 0 });
      expect(storage.listAssetPartitionStates("squares")).toEqual([]);
    });

    it("stores unpartitioned assets under the empty partition key", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      storage.appendEvents([materialization(runId, "config", null, { n: 1 })]);
      const state = storage.getAssetPartitionState("config");
      expect(state).toMatchObject({ assetKey: "config", partitionKey: "", status: "materialized" });
      expect(storage.getAssetPartitionState("config", "")).toEqual(state);
      expect(storage.materializedPartitionKeys("config")).toEqual(new Set([""]));
      storage.appendEvents([failure(runId, "config", "", "broken")]);
      expect(storage.getAssetPartitionState("config")).toMatchObject({ partitionKey: "", status: "failed" });
      expect(storage.countAssetPartitionStates("config")).toEqual({ materialized: 0, failed: 1 });
    });

    it("lets the latest outcome win while keeping the last success's metadata and time", () => {
      const { storage } = instance();
      const first = createTestRun(storage).runId;
      const success = materialization(first, "squares", "4", { value: 16 });
      storage.appendEvents([success]);
      const later = createTestRun(storage).runId;
      const failed = failure(later, "squares", "4", "rate limited");
      storage.appendEvents([failed]);
      expect(common(storage.getAssetPartitionState("squares", "4"))).toEqual({
        assetKey: "squares",
        partitionKey: "4",
        status: "failed",
        runId: later,
        timestamp: failed.timestamp,
        durationMs: 3,
        metadata: { value: 16 },
        error: "rate limited",
        lastMaterialization: { runId: first, timestamp: success.timestamp },
      });
      expect(storage.materializedPartitionKeys("squares")).toEqual(new Set());

      const again = materialization(later, "squares", "4", { value: 17 });
      storage.appendEvents([again]);
      expect(common(storage.getAssetPartitionState("squares", "4"))).toEqual({
        assetKey: "squares",
        partitionKey: "4",
        status: "materialized",
        runId: later,
        timestamp: again.timestamp,
        durationMs: 12,
        metadata: { value: 17 },
        error: null,
        lastMaterialization: { runId: later, timestamp: again.timestamp },
      });
    });

    it("records a failure with no earlier success without metadata or last success", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      storage.appendEvents([failure(runId, "squares", "9", "boom")]);
      expect(storage.getAssetPartitionState("squares", "9")).toMatchObject({
        status: "failed",
        error: "boom",
        metadata: null,
        lastMaterialization: null,
      });
    });

    it("takes a failure's message from its error, else from its message, else a default", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      const at = new Date().toISOString();
      const bare = (partitionKey: string, extra: Partial<EventRecord>): EventRecord => ({
        runId,
        type: "step_failure",
        assetKey: "squares",
        partitionKey,
        timestamp: at,
        ...extra,
      });
      storage.appendEvents([
        bare("1", { error: { message: "from error" }, message: "from message" }),
        bare("2", { message: "from message" }),
        bare("3", {}),
      ]);
      expect(storage.getAssetPartitionState("squares", "1")!.error).toBe("from error");
      expect(storage.getAssetPartitionState("squares", "2")!.error).toBe("from message");
      expect(storage.getAssetPartitionState("squares", "3")!.error).toBe("step failed");
    });

    it("applies two outcomes of one partition in one batch in order", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      const success = materialization(runId, "squares", "1", { try: 1 });
      storage.appendEvents([
        success,
        failure(runId, "squares", "1", "second try failed"),
        failure(runId, "squares", "2", "first try failed"),
        materialization(runId, "squares", "2", { try: 2 }),
      ]);
      expect(storage.getAssetPartitionState("squares", "1")).toMatchObject({
        status: "failed",
        error: "second try failed",
        metadata: { try: 1 },
        lastMaterialization: { runId, timestamp: success.timestamp },
      });
      expect(storage.getAssetPartitionState("squares", "2")).toMatchObject({
        status: "materialized",
        error: null,
        metadata: { try: 2 },
      });
      expect(storage.latestAssetPartitionState!("squares")!.partitionKey).toBe("2");
    });

    it("records every outcome of a mixed batch: successes, failures, other events, versions", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      const earlier = materialization(runId, "squares", "2", { try: 1 });
      storage.appendEvents([earlier]);
      const at = new Date().toISOString();
      const versions: MaterializationVersions = {
        code: "v2",
        data: "d1",
        inputs: [{ asset: "numbers", partition: "1", version: "n1" }],
      };
      const success = { ...materialization(runId, "squares", "1", { value: 1 }), versions };
      const config = materialization(runId, "config", null, { n: 2 });
      storage.appendEvents([
        { runId, type: "step_start", assetKey: "squares", partitionKey: "1", timestamp: at },
        success,
        failure(runId, "squares", "2", "second try failed"),
        { runId, type: "step_skipped", assetKey: "squares", partitionKey: "3", timestamp: at, message: "no" },
        config,
      ]);
      const ids = storage.getEvents(runId).map((e) => e.id);
      expect(ids).toEqual([...ids].sort((a, b) => a! - b!));
      expect(ids).toHaveLength(6);
      expect(storage.getAssetPartitionState("squares", "1")).toMatchObject({
        status: "materialized",
        metadata: { value: 1 },
        error: null,
        lastMaterialization: { runId, timestamp: success.timestamp },
        versions,
      });
      expect(storage.getAssetPartitionState("squares", "2")).toMatchObject({
        status: "failed",
        error: "second try failed",
        metadata: { try: 1 },
        lastMaterialization: { runId, timestamp: earlier.timestamp },
      });
      expect(storage.getAssetPartitionState("squares", "3")).toBeUndefined();
      expect(storage.getAssetPartitionState("config")).toMatchObject({
        partitionKey: "",
        metadata: { n: 2 },
      });
      expect(storage.countAssetPartitionStates("squares")).toEqual({ materialized: 1, failed: 1 });
      expect(storage.latestAssetPartitionState!("squares")!.partitionKey).toBe("2");
    });

    it("counts, lists by partition key (paged, by status) and returns materialized keys", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      storage.appendEvents([
        ...["c", "a", "b", "d"].map((k) => materialization(runId, "squares", k)),
        failure(runId, "squares", "e", "x"),
        failure(runId, "squares", "0", "y"),
        materialization(runId, "cubes", "a"),
      ]);
      expect(storage.countAssetPartitionStates("squares")).toEqual({ materialized: 4, failed: 2 });
      expect(storage.countAssetPartitionStates("cubes")).toEqual({ materialized: 1, failed: 0 });
      expect(storage.countAssetPartitionStates("unknown")).toEqual({ materialized: 0, failed: 0 });
      expect(partitionKeys(storage.listAssetPartitionStates("squares"))).toEqual([
        "0",
        "a",
        "b",
        "c",
        "d",
        "e",
      ]);
      expect(partitionKeys(storage.listAssetPartitionStates("squares", { offset: 1, limit: 2 }))).toEqual([
        "a",
        "b",
      ]);
      expect(partitionKeys(storage.listAssetPartitionStates("squares", { offset: 5 }))).toEqual(["e"]);
      expect(storage.listAssetPartitionStates("squares", { offset: 6 })).toEqual([]);
      expect(storage.listAssetPartitionStates("squares", { limit: 0 })).toEqual([]);
      expect(partitionKeys(storage.listAssetPartitionStates("squares", { status: "failed" }))).toEqual([
        "0",
        "e",
      ]);
      expect(
        partitionKeys(
          storage.listAssetPartitionStates("squares", { status: "materialized", offset: 1, limit: 2 }),
        ),
      ).toEqual(["b", "c"]);
      expect(storage.listAssetPartitionStates("unknown")).toEqual([]);
      expect(storage.listAssetPartitionStates("squares")[1]).toEqual(
        storage.getAssetPartitionState("squares", "a"),
      );
      expect(storage.materializedPartitionKeys("squares")).toEqual(new Set(["a", "b", "c", "d"]));
      expect(storage.materializedPartitionKeys("unknown")).toEqual(new Set());
    });

    it("orders partition keys byte-wise (UTF-8), non-ASCII keys included", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      storage.appendEvents(UNICODE_KEYS.map((k) => materialization(runId, "squares", k)));
      const expected = [...UNICODE_KEYS].sort(byteOrder);
      // the point of the case: neither JavaScript's nor a locale's order is the byte order
      expect(expected).not.toEqual([...UNICODE_KEYS].sort());
      expect(expected).not.toEqual([...UNICODE_KEYS].sort((a, b) => a.localeCompare(b)));
      expect(partitionKeys(storage.listAssetPartitionStates("squares"))).toEqual(expected);
      expect(partitionKeys(storage.listAssetPartitionStates("squares", { offset: 4, limit: 5 }))).toEqual(
        expected.slice(4, 9),
      );
      expect(storage.materializedPartitionKeys("squares")).toEqual(new Set(UNICODE_KEYS));
      expect(storage.getAssetPartitionState("squares", "😀")!.partitionKey).toBe("😀");
    });

    it("rejects a bad page or an unknown status", () => {
      const { storage } = instance();
      expect(thrown(() => storage.listAssetPartitionStates("squares", { offset: -1 })).code).toBe(
        "invalid_page",
      );
      expect(thrown(() => storage.listAssetPartitionStates("squares", { limit: -1 })).code).toBe(
        "invalid_page",
      );
      expect(
        thrown(() => storage.listAssetPartitionStates("squares", { status: "missing" as never })).code,
      ).toBe("invalid_status");
    });

    it("returns the most recently recorded state among an asset's partitions", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      expect(storage.latestAssetPartitionState!("squares")).toBeUndefined();
      storage.appendEvents([materialization(runId, "squares", "b"), materialization(runId, "squares", "a")]);
      expect(storage.latestAssetPartitionState!("squares")).toEqual(
        storage.getAssetPartitionState("squares", "a"),
      );
      storage.appendEvents([failure(runId, "squares", "b", "boom"), materialization(runId, "cubes", "z")]);
      expect(storage.latestAssetPartitionState!("squares")).toMatchObject({
        partitionKey: "b",
        status: "failed",
      });
      expect(storage.latestAssetPartitionState!("cubes")).toMatchObject({ partitionKey: "z" });
    });

    it("wipes one partition or a whole asset, leaving other assets and the event log alone", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      storage.appendEvents([
        ...["1", "2", "3"].map((k) => materialization(runId, "squares", k)),
        failure(runId, "squares", "4", "x"),
        materialization(runId, "cubes", "1"),
      ]);
      expect(storage.wipeAssetPartitionStates("squares", "2")).toBe(1);
      expect(storage.wipeAssetPartitionStates("squares", "2")).toBe(0);
      expect(storage.getAssetPartitionState("squares", "2")).toBeUndefined();
      expect(storage.materializedPartitionKeys("squares")).toEqual(new Set(["1", "3"]));
      expect(storage.wipeAssetPartitionStates("squares")).toBe(3);
      expect(storage.countAssetPartitionStates("squares")).toEqual({ materialized: 0, failed: 0 });
      expect(storage.latestAssetPartitionState!("squares")).toBeUndefined();
      expect(storage.wipeAssetPartitionStates("unknown")).toBe(0);
      expect(storage.countAssetPartitionStates("cubes")).toEqual({ materialized: 1, failed: 0 });
      expect(storage.getEvents(runId)).toHaveLength(5);
    });

    it("records 10,000 materializations appended in batches of 500", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      const keys = Array.from({ length: 10_000 }, (_, i) => `p${i}`);
      for (let i = 0; i < keys.length; i += 500) {
        storage.appendEvents(
          keys.slice(i, i + 500).map((k) => materialization(runId, "squares", k, { i: k })),
        );
      }
      expect(storage.countAssetPartitionStates("squares")).toEqual({ materialized: 10_000, failed: 0 });
      expect(storage.materializedPartitionKeys("squares")).toEqual(new Set(keys));
      expect(storage.getAssetPartitionState("squares", "p9999")!.metadata).toEqual({ i: "p9999" });
      expect(storage.latestAssetPartitionState!("squares")!.partitionKey).toBe("p9999");
      expect(storage.getEvents(runId, { afterId: 0, limit: 1 })[0].partitionKey).toBe("p0");
    });
    it("keeps the versions of each partition's latest success, through later failures", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      const v1: MaterializationVersions = {
        code: "code-1",
        data: "data-1",
        inputs: [{ asset: "prompts", partition: "a", version: "p-1" }],
      };
      const v2: MaterializationVersions = { code: null, data: "data-2", inputs: [] };
      storage.appendEvents([
        { ...materialization(runId, "responses", "a"), versions: v1 },
        { ...materialization(runId, "responses", "b"), versions: v2 },
        materialization(runId, "responses", "no-versions"),
      ]);
      expect(storage.getAssetPartitionState("responses", "a")?.versions).toEqual(v1);
      expect(storage.getAssetPartitionState("responses", "no-versions")?.versions).toBeNull();
      storage.appendEvents([failure(runId, "responses", "a", "rate limited")]);
      const failed = storage.getAssetPartitionState("responses", "a");
      expect(failed?.status).toBe("failed");
      expect(failed?.versions).toEqual(v1);
      expect(storage.listAssetPartitionStates("responses").map((s) => s.versions)).toEqual([v1, v2, null]);
      const versions = storage.listPartitionVersions("responses");
      expect([...versions.keys()].sort()).toEqual(["a", "b"]);
      expect(versions.get("b")).toEqual(v2);
      storage.appendEvents([{ ...materialization(runId, "responses", "a"), versions: v2 }]);
      expect(storage.listPartitionVersions("responses").get("a")).toEqual(v2);
      storage.wipeAssetPartitionStates("responses", "a");
      expect(storage.listPartitionVersions("responses").has("a")).toBe(false);
      expect(storage.listPartitionVersions("other").size).toBe(0);
    });
    it("lists recorded code versions, all of them or those other than one", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      const at = (code: string | null): MaterializationVersions => ({ code, data: "d", inputs: [] });
      storage.appendEvents([
        { ...materialization(runId, "prompts", "a"), versions: at("v1") },
        { ...materialization(runId, "prompts", "b"), versions: at("v2") },
        { ...materialization(runId, "prompts", "c"), versions: at(null) },
        { ...materialization(runId, "prompts", "d"), versions: at("v1") },
        materialization(runId, "prompts", "unversioned"),
        { ...materialization(runId, "other", "a"), versions: at("v9") },
      ]);
      // Pairs [partition, code] in partition order, whatever the grouping's order.
      const sorted = (groups: RecordedCodeVersion[]) =>
        groups
          .flatMap((g) => g.partitions.map((p): [string, string | null] => [p, g.code]))
          .sort((x, y) => x[0].localeCompare(y[0]));
      expect(sorted(storage.listRecordedCodeVersions("prompts"))).toEqual([
        ["a", "v1"],
        ["b", "v2"],
        ["c", null],
        ["d", "v1"],
      ]);
      // One entry per code version.
      expect(
        storage
          .listRecordedCodeVersions("prompts")
          .map((g) => g.code)
          .sort(),
      ).toEqual([null, "v1", "v2"]);
      expect(sorted(storage.listRecordedCodeVersions("prompts", { code: "v1" }))).toEqual([
        ["b", "v2"],
        ["c", null],
      ]);
      expect(sorted(storage.listRecordedCodeVersions("prompts", { code: null }))).toEqual([
        ["a", "v1"],
        ["b", "v2"],
        ["d", "v1"],
      ]);
      expect(storage.listRecordedCodeVersions("none")).toEqual([]);
    });
    it("lists the recorded inputs whose upstream has other data now or is listed stale", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      const up = (partition: string, data: string | null): EventRecord => ({
        ...materialization(runId, "prompts", partition),
        versions: { code: "c", data, inputs: [] },
      });
      const down = (partition: string, inputs: MaterializationVersions["inputs"]): EventRecord => ({
        ...materialization(runId, "responses", partition),
        versions: { code: null, data: `r-${partition}`, inputs },
      });
      const input = (partition: string, version: string | null) => ({ asset: "prompts", partition, version });
      storage.appendEvents([
        up("a", "p-a2"),
        up("b", "p-b"),
        up("n", null),
        materialization(runId, "prompts", "unversioned"),
        down("same", [input("b", "p-b")]),
        down("changed", [input("a", "p-a1")]),
        down("null-same", [input("n", null)]),
        down("null-changed", [input("b", null)]),
        down("gone", [input("missing", "x"), input("unversioned", "y")]),
        down("two", [input("b", "p-b"), input("a", "old"), { asset: "tables", partition: "", version: "t" }]),
      ]);
      expect(storage.listInputMismatches("responses", [])).toEqual([
        { partitionKey: "changed", asset: "prompts", partition: "a", changed: true },
        { partitionKey: "null-changed", asset: "prompts", partition: "b", changed: true },
        { partitionKey: "two", asset: "prompts", partition: "a", changed: true },
      ]);
      // Listed stale: reported with the same data; an input with other data stays "changed".
      expect(
        storage.listInputMismatches("responses", [
          { asset: "prompts", partition: "b" },
          { asset: "prompts", partition: "a" },
        ]),
      ).toEqual([
        { partitionKey: "changed", asset: "prompts", partition: "a", changed: true },
        { partitionKey: "null-changed", asset: "prompts", partition: "b", changed: true },
        { partitionKey: "same", asset: "prompts", partition: "b", changed: false },
        { partitionKey: "two", asset: "prompts", partition: "b", changed: false },
        { partitionKey: "two", asset: "prompts", partition: "a", changed: true },
      ]);
      expect(storage.listInputMismatches("prompts", [{ asset: "prompts", partition: "a" }])).toEqual([]);
    });
    it("compares only the inputs of each partition's latest versioned success", () => {
      const { storage } = instance();
      const runId = createTestRun(storage).runId;
      const down = (partition: string, version: string): EventRecord => ({
        ...materialization(runId, "responses", partition),
        versions: { code: null, data: "r", inputs: [{ asset: "prompts", partition: "a", version }] },
      });
      storage.appendEvents([
        { ...materialization(runId, "prompts", "a"), versions: { code: null, data: "new", inputs: [] } },
        down("again", "old"),
        down("wiped", "old"),
        down("unversioned", "old"),
        down("failed", "old"),
      ]);
      storage.appendEvents([
        down("again", "new"),
        materialization(runId, "responses", "unversioned"),
        failure(runId, "responses", "failed", "boom"),
      ]);
      storage.wipeAssetPartitionStates("responses", "wiped");
      // A failure keeps what the last success read; a success without versions records no inputs.
      expect(storage.listInputMismatches("responses", [])).toEqual([
        { partitionKey: "failed", asset: "prompts", partition: "a", changed: true },
      ]);
      storage.wipeAssetPartitionStates("responses");
      expect(storage.listInputMismatches("responses", [])).toEqual([]);
    });
  });
}
