import { describe, expect, it } from "vitest";
import { DefinitionError } from "../errors.ts";
import { asset } from "./asset.ts";
import { defineDefinitions, isDefinitions } from "./define.ts";
import { dynamicPartitions } from "./partitions.ts";
import type { AssetSpec, DefinitionsSpec, IOManager } from "./types.ts";

const node = (key: string, spec: Partial<AssetSpec> = {}) => asset({ key, compute: () => key, ...spec });
const gens = dynamicPartitions("gens");
const other = dynamicPartitions("other");
const nullIO: IOManager = { handleOutput: () => undefined, loadInput: () => undefined };

function rejection(spec: DefinitionsSpec): DefinitionError {
  try {
    defineDefinitions(spec);
  } catch (err) {
    expect(err).toBeInstanceOf(DefinitionError);
    return err as DefinitionError;
  }
  throw new Error("expected defineDefinitions() to throw");
}

describe("defineDefinitions", () => {
  it("keeps assets by key in definition order and always provides a memory IO manager", () => {
    const defs = defineDefinitions({
      assets: [node("b"), node("a", { ins: { b: {} }, resources: ["db"], io: "json" })],
      resources: { db: "sqlite://x" },
      ioManagers: { json: nullIO },
    });
    expect(defs.kind).toBe("definitions");
    expect(isDefinitions(defs)).toBe(true);
    expect([...defs.assets.keys()]).toEqual(["b", "a"]);
    expect(defs.resources).toEqual({ db: "sqlite://x" });
    expect(Object.keys(defs.ioManagers).sort()).toEqual(["json", "memory"]);
    expect(typeof defs.ioManagers.memory.loadInput).toBe("function");
  });

  it("gives each Definitions its own memory IO manager, and lets the user replace it", () => {
    const one = defineDefinitions({ assets: [] });
    const two = defineDefinitions({ assets: [] });
    expect(one.ioManagers.memory).not.toBe(two.ioManagers.memory);
    expect(defineDefinitions({ assets: [], ioManagers: { memory: nullIO } }).ioManagers.memory).toBe(nullIO);
  });

  it("rejects duplicate keys, naming the key and where it appears", () => {
    const err = rejection({ assets: [node("a"), node("b"), node("a")] });
    expect(err.message).toContain('duplicate asset key "a"');
    expect(err.message).toContain("assets[0], assets[2]");
    expect(err.context.assets).toBe("a");
    expect(err.hint).toContain("unique key");
  });

  it("rejects an unknown dep and suggests the closest key", () => {
    const err = rejection({ assets: [node("raw_ideas"), node("concepts", { deps: ["raw_idea"] })] });
    expect(err.message).toContain('asset "concepts" depends on "raw_idea"');
    expect(err.hint).toContain('did you mean "raw_ideas"');
    expect(err.context.assets).toBe("concepts");
  });

  it("rejects an unknown input, including a renamed one", () => {
    const err = rejection({
      assets: [node("scores"), node("report", { ins: { table: { asset: "score" } } })],
    });
    expect(err.message).toContain('asset "report" reads input "table" (asset "score")');
    expect(err.hint).toContain('did you mean "scores"');
  });

  it("rejects a cycle and prints it", () => {
    const err = rejection({
      assets: [
        node("a", { deps: ["c"] }),
        node("b", { ins: { a: {} } }),
        node("c", { ins: { b: {} } }),
        node("d"),
      ],
    });
    expect(err.message).toContain("dependency cycle: a -> b -> c -> a");
    expect(err.context.assets).toBe("a, b, c");
    expect(err.hint).toContain("remove one of these inputs or deps");
  });

  it("rejects an asset that depends on itself", () => {
    expect(rejection({ assets: [node("loop", { deps: ["loop"] })] }).message).toContain("loop -> loop");
  });

  it("rejects a missing resource, naming every asset that requires it", () => {
    const err = rejection({
      assets: [node("a", { resources: ["llm"] }), node("b", { resources: ["llm", "db"] })],
      resources: { db: 1, lm: 2 },
    });
    expect(err.message).toContain('resource "llm" is required by "a", "b" but not provided');
    expect(err.hint).toContain('did you mean "lm"');
  });

  it("rejects a missing IO manager, naming the assets that use it", () => {
    const err = rejection({ assets: [node("a", { io: "parquet" }), node("b", { io: "parquet" })] });
    expect(err.message).toContain('IO manager "parquet" is used by "a", "b" but not provided');
    expect(err.hint).toContain("ioManagers: { parquet:");
  });

  it("rejects an IO manager without the IOManager methods", () => {
    const err = rejection({ assets: [], ioManagers: { json: {} as IOManager } });
    expect(err.message).toContain('IO manager "json" lacks handleOutput/loadInput');
  });

  it("rejects a value input between assets with different partitions definitions", () => {
    const err = rejection({
      assets: [
        node("drafts", { partitions: gens }),
        node("essays", { partitions: other, ins: { drafts: {} } }),
      ],
    });
    expect(err.message).toContain('asset "essays" (partitioned by "other") reads value input "drafts"');
    expect(err.message).toContain('(partitioned by "gens")');
    expect(err.hint).toContain("move");
    expect(err.context.assets).toBe("essays, drafts");
  });

  it("rejects a value input from a partitioned asset into an unpartitioned one", () => {
    const err = rejection({
      assets: [node("drafts", { partitions: gens }), node("summary", { ins: { drafts: {} } })],
    });
    expect(err.message).toContain('asset "summary" (unpartitioned) reads value input "drafts"');
    expect(err.hint).toContain("deps");
  });

  it("accepts same-partition inputs, unpartitioned inputs into partitioned assets, and cross-partition deps", () => {
    const defs = defineDefinitions({
      assets: [
        node("table"),
        node("drafts", { partitions: gens, ins: { table: {} } }),
        node("essays", { partitions: dynamicPartitions("gens"), ins: { drafts: {} } }),
        node("evals", { partitions: other, deps: ["essays"] }),
        node("summary", { deps: ["evals"] }),
      ],
    });
    expect(defs.assets.size).toBe(5);
  });

  it("rejects an entry that is not an asset definition", () => {
    const spec = { key: "raw", compute: () => 1 } as unknown as ReturnType<typeof asset>;
    const err = rejection({ assets: [node("ok"), spec, undefined as unknown as ReturnType<typeof asset>] });
    expect(err.message).toContain('assets[1] is not an asset definition (got a plain spec with key "raw")');
    expect(err.message).toContain("assets[2] is not an asset definition (got undefined)");
  });

  it("rejects a spec whose assets is not an array", () => {
    const err = rejection({ assets: "a" } as unknown as DefinitionsSpec);
    expect(err.message).toContain("assets must be an array");
  });

  it("reports every problem in one error", () => {
    const err = rejection({
      assets: [
        node("a"),
        node("a"),
        node("b", { deps: ["nope"] }),
        node("c", { resources: ["llm"], io: "s3" }),
        node("d", { deps: ["e"] }),
        node("e", { deps: ["d"] }),
      ],
    });
    expect(err.message).toMatch(/^5 problems in definitions:/);
    for (const part of [
      'duplicate asset key "a"',
      '"nope"',
      "d -> e -> d",
      'resource "llm"',
      'IO manager "s3"',
    ]) {
      expect(err.message).toContain(part);
    }
    expect(err.context.problems).toBe(5);
    expect(err.context.assets).toBe("a, b, d, e, c");
  });
});
