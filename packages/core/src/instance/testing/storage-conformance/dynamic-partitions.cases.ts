import { describe, expect, it } from "vitest";
import { PartitionError } from "../../../errors.ts";
import type { TestInstance } from "./harness.ts";
import { thrown } from "./thrown.ts";

export function dynamicPartitionCases(instance: () => TestInstance): void {
  describe("dynamic partitions", () => {
    it("adds keys and returns how many were really added", () => {
      const { storage } = instance();
      expect(storage.addDynamicPartitions("gens", ["a", "b", "c"])).toBe(3);
      expect(storage.addDynamicPartitions("gens", ["b", "c", "d"])).toBe(1);
      expect(storage.addDynamicPartitions("gens", ["a", "b", "c", "d"])).toBe(0);
      expect(storage.addDynamicPartitions("gens", [])).toBe(0);
      expect(storage.countDynamicPartitions("gens")).toBe(4);
      expect(storage.getDynamicPartitions("gens")).toEqual(["a", "b", "c", "d"]);
    });

    it("counts a key repeated within one call once", () => {
      const { storage } = instance();
      expect(storage.addDynamicPartitions("gens", ["x", "x", "y", "x"])).toBe(2);
      expect(storage.getDynamicPartitions("gens")).toEqual(["x", "y"]);
    });

    it("accepts any iterable, a generator and a set included", () => {
      const { storage } = instance();
      function* keys() {
        yield "g1";
        yield "g2";
      }
      expect(storage.addDynamicPartitions("gens", keys())).toBe(2);
      expect(storage.addDynamicPartitions("gens", new Set(["g2", "g3"]))).toBe(1);
      expect(storage.getDynamicPartitions("gens")).toEqual(["g1", "g2", "g3"]);
    });

    it("lists keys in insertion order, not sorted", () => {
      const { storage } = instance();
      storage.addDynamicPartitions("gens", ["zeta", "alpha", "mid", "中", "é"]);
      storage.addDynamicPartitions("gens", ["alpha", "beta", "Ω"]);
      expect(storage.getDynamicPartitions("gens")).toEqual(["zeta", "alpha", "mid", "中", "é", "beta", "Ω"]);
    });

    it("puts keys added after a deletion at the end, a re-added key included", () => {
      const { storage } = instance();
      storage.addDynamicPartitions("gens", ["a", "b", "c"]);
      expect(storage.deleteDynamicPartitions("gens", ["c"])).toBe(1);
      expect(storage.addDynamicPartitions("gens", ["d", "c"])).toBe(2);
      expect(storage.deleteDynamicPartitions("gens", ["a"])).toBe(1);
      expect(storage.addDynamicPartitions("gens", ["a"])).toBe(1);
      expect(storage.getDynamicPartitions("gens")).toEqual(["b", "d", "c", "a"]);
    });

    it("pages with offset and limit", () => {
      const { storage } = instance();
      storage.addDynamicPartitions("gens", ["k0", "k1", "k2", "k3", "k4"]);
      expect(storage.getDynamicPartitions("gens", { limit: 2 })).toEqual(["k0", "k1"]);
      expect(storage.getDynamicPartitions("gens", { offset: 2, limit: 2 })).toEqual(["k2", "k3"]);
      expect(storage.getDynamicPartitions("gens", { offset: 4 })).toEqual(["k4"]);
      expect(storage.getDynamicPartitions("gens", { offset: 9 })).toEqual([]);
      expect(storage.getDynamicPartitions("gens", { limit: 0 })).toEqual([]);
      expect(thrown(() => storage.getDynamicPartitions("gens", { offset: -1 })).code).toBe("invalid_page");
      expect(thrown(() => storage.getDynamicPartitions("gens", { limit: 2.5 })).code).toBe("invalid_page");
    });

    it("answers has and count per definition name", () => {
      const { storage } = instance();
      storage.addDynamicPartitions("drafts", ["a", "b"]);
      storage.addDynamicPartitions("essays", ["a"]);
      expect(storage.hasDynamicPartition("drafts", "b")).toBe(true);
      expect(storage.hasDynamicPartition("essays", "b")).toBe(false);
      expect(storage.hasDynamicPartition("never_added", "a")).toBe(false);
      expect(storage.countDynamicPartitions("drafts")).toBe(2);
      expect(storage.countDynamicPartitions("essays")).toBe(1);
      expect(storage.countDynamicPartitions("never_added")).toBe(0);
      expect(storage.getDynamicPartitions("never_added")).toEqual([]);
    });

    it("deletes only the keys given and reports how many existed", () => {
      const { storage } = instance();
      storage.addDynamicPartitions("gens", ["a", "b", "c"]);
      storage.addDynamicPartitions("other", ["b"]);
      expect(storage.deleteDynamicPartitions("gens", ["b", "zzz", "b"])).toBe(1);
      expect(storage.deleteDynamicPartitions("gens", [])).toBe(0);
      expect(storage.deleteDynamicPartitions("never_added", ["a"])).toBe(0);
      expect(storage.getDynamicPartitions("gens")).toEqual(["a", "c"]);
      expect(storage.hasDynamicPartition("gens", "b")).toBe(false);
      expect(storage.getDynamicPartitions("other")).toEqual(["b"]);
    });

    it("lists the definitions with their key counts, by name byte-wise", () => {
      const { storage } = instance();
      expect(storage.listDynamicPartitionsDefinitions()).toEqual([]);
      storage.addDynamicPartitions("essays", ["a"]);
      storage.addDynamicPartitions("drafts", ["a", "b"]);
      storage.addDynamicPartitions("Zeta", ["a", "b", "c"]);
      storage.addDynamicPartitions("_private", ["x"]);
      expect(storage.listDynamicPartitionsDefinitions()).toEqual([
        { name: "Zeta", count: 3 },
        { name: "_private", count: 1 },
        { name: "drafts", count: 2 },
        { name: "essays", count: 1 },
      ]);
      storage.deleteDynamicPartitions("_private", ["x"]);
      expect(storage.listDynamicPartitionsDefinitions().map((d) => d.name)).toEqual([
        "Zeta",
        "drafts",
        "essays",
      ]);
    });

    it("validates every key before writing any, naming the bad key and its index", () => {
      const { storage } = instance();
      storage.addDynamicPartitions("gens", ["before"]);
      const err = thrown(() => storage.addDynamicPartitions("gens", ["ok-1", "ok-2", "bad/key", "ok-3"]));
      expect(err).toBeInstanceOf(PartitionError);
      expect(err.message).toBe('partition key "bad/key" at index 2 for partitions "gens" contains "/"');
      expect(err.hint).toBeTruthy();
      for (const bad of ["", ".", " padded", "a..b", "nul\u0000", "x:y", "\ud800"]) {
        expect(() => storage.addDynamicPartitions("gens", ["fine", bad])).toThrow(PartitionError);
      }
      expect(storage.getDynamicPartitions("gens")).toEqual(["before"]);
      expect(storage.listDynamicPartitionsDefinitions()).toEqual([{ name: "gens", count: 1 }]);
    });

    it("rejects a definition name that is not an identifier, in every call", () => {
      const { storage } = instance();
      const err = thrown(() => storage.addDynamicPartitions("bad name", ["a"]));
      expect(err).toBeInstanceOf(PartitionError);
      expect(err.code).toBe("invalid_partitions_name");
      expect(err.message).toBe('dynamic partitions name "bad name" is not an identifier');
      for (const name of ["", "1gens", "gens-2", "gens.x", "génération"]) {
        expect(() => storage.addDynamicPartitions(name, ["a"])).toThrow(PartitionError);
        expect(() => storage.getDynamicPartitions(name)).toThrow(PartitionError);
        expect(() => storage.hasDynamicPartition(name, "a")).toThrow(PartitionError);
        expect(() => storage.countDynamicPartitions(name)).toThrow(PartitionError);
        expect(() => storage.deleteDynamicPartitions(name, ["a"])).toThrow(PartitionError);
      }
      expect(storage.listDynamicPartitionsDefinitions()).toEqual([]);
    });

    it("keeps keys and their order across closing and reopening", () => {
      const { storage, openAnother } = instance();
      storage.addDynamicPartitions("gens", ["b", "a"]);
      storage.close();
      const reopened = openAnother();
      expect(reopened.getDynamicPartitions("gens")).toEqual(["b", "a"]);
      expect(reopened.addDynamicPartitions("gens", ["a", "c"])).toBe(1);
      expect(reopened.getDynamicPartitions("gens")).toEqual(["b", "a", "c"]);
    });

    it("adds 120,000 keys in one call in order, then 0 when they are added again", () => {
      const { storage } = instance();
      const keys = Array.from({ length: 120_000 }, (_, i) => `gen_${i.toString(36)}`);
      storage.addDynamicPartitions("gens", [keys[55_000]]);
      expect(storage.addDynamicPartitions("gens", keys)).toBe(119_999);
      expect(storage.addDynamicPartitions("gens", keys)).toBe(0);
      expect(storage.countDynamicPartitions("gens")).toBe(120_000);
      const listed = storage.getDynamicPartitions("gens");
      expect(listed[0]).toBe(keys[55_000]);
      expect(listed.slice(1)).toEqual(keys.filter((_, i) => i !== 55_000));
      expect(storage.getDynamicPartitions("gens", { offset: 100_000, limit: 3 })).toEqual(
        keys.slice(100_000, 100_003),
      );
      expect(storage.hasDynamicPartition("gens", keys[119_999])).toBe(true);
    });
  });
}
