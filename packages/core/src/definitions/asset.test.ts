import { describe, expect, it } from "vitest";
import { DefinitionError } from "../errors.ts";
import { asset } from "./asset.ts";
import { dynamicPartitions } from "./partitions.ts";
import { isMaterializeResult, withMetadata } from "./result.ts";
import type { AssetSpec } from "./types.ts";

const compute = () => 1;

function rejection(spec: unknown): DefinitionError {
  try {
    asset(spec as AssetSpec);
  } catch (err) {
    expect(err).toBeInstanceOf(DefinitionError);
    return err as DefinitionError;
  }
  throw new Error("expected asset() to throw");
}

describe("asset", () => {
  it("fills in defaults and freezes the definition", () => {
    const def = asset({ key: "numbers", compute });
    expect(def).toMatchObject({
      key: "numbers",
      group: "default",
      io: "memory",
      ins: {},
      deps: [],
      resources: [],
      tags: {},
      kinds: [],
    });
    expect(Object.isFrozen(def)).toBe(true);
    expect(Object.isFrozen(def.deps)).toBe(true);
    expect(Object.isFrozen(def.ins)).toBe(true);
    expect(Object.isFrozen(def.tags)).toBe(true);
  });

  it("keeps given fields and copies collections so later edits to the spec do not leak in", () => {
    const deps = ["a"];
    const parts = dynamicPartitions("gens");
    const def = asset({
      key: "b",
      group: "g1",
      deps,
      ins: { x: { asset: "c" } },
      partitions: parts,
      io: "json",
      resources: ["llm"],
      tags: { tier: "gold" },
      kinds: ["csv"],
      codeVersion: "2",
      retry: { maxAttempts: 3 },
      compute,
    });
    deps.push("z");
    expect(def.deps).toEqual(["a"]);
    expect(def.ins).toEqual({ x: { asset: "c" } });
    expect(def.partitions).toBe(parts);
    expect(def).toMatchObject({ group: "g1", io: "json", resources: ["llm"], codeVersion: "2" });
  });

  it.each([
    ["a key with a dash", { key: "my-asset", compute }, "invalid asset key"],
    ["a key starting with a digit", { key: "1st", compute }, "invalid asset key"],
    ["an empty key", { key: "", compute }, "invalid asset key"],
    ["a group with a space", { key: "a", group: "my group", compute }, "invalid group name"],
    ["a missing compute", { key: "a" }, "has no compute function"],
    ["deps that are not strings", { key: "a", deps: [1], compute }, "deps must be an array"],
    [
      "an input naming an invalid key",
      { key: "a", ins: { x: { asset: "b c" } }, compute },
      "invalid asset key",
    ],
    ["non-string tag values", { key: "a", tags: { n: 1 }, compute }, "tags must be"],
    ["retry without maxAttempts", { key: "a", retry: {}, compute }, "retry.maxAttempts"],
    ["partitions not from dynamicPartitions", { key: "a", partitions: "gens", compute }, "dynamicPartitions"],
  ])("rejects %s with a hint", (_what, spec, message) => {
    const err = rejection(spec);
    expect(err.message).toContain(message);
    expect(err.hint).toBeTruthy();
  });

  it("names the asset in the error context", () => {
    expect(rejection({ key: "bad_group", group: "x-y", compute }).context.asset).toBe("bad_group");
  });
});

describe("withMetadata / isMaterializeResult", () => {
  it("recognises the helper result, including one whose value is itself { value, metadata }", () => {
    const result = withMetadata(5, { rows: 5 });
    expect(result).toEqual({ value: 5, metadata: { rows: 5 } });
    expect(isMaterializeResult(result)).toBe(true);
    expect(isMaterializeResult(withMetadata({ value: 1 }, {}))).toBe(true);
  });

  it("recognises a plain { value, metadata } literal", () => {
    expect(isMaterializeResult({ value: [1, 2], metadata: { n: 2 } })).toBe(true);
    expect(isMaterializeResult({ value: undefined, metadata: {} })).toBe(true);
  });

  it.each([
    ["a row with only a value column", { value: 3 }],
    ["an object with extra keys", { value: 1, metadata: {}, other: true }],
    ["metadata that is not an object", { value: 1, metadata: "note" }],
    ["metadata that is null", { value: 1, metadata: null }],
    [
      "a class instance",
      new (class Box {
        value = 1;
        metadata = {};
      })(),
    ],
    ["an array", [1, 2]],
    ["a primitive", 42],
    ["null", null],
  ])("treats %s as a plain value", (_what, value) => {
    expect(isMaterializeResult(value)).toBe(false);
  });
});
