import { describe, expect, it } from "vitest";
import { asset } from "../definitions/asset.ts";
import type { AssetSpec } from "../definitions/types.ts";
import { DefinitionError } from "../errors.ts";
import { AssetGraph, formatCycle } from "./asset-graph.ts";

const node = (key: string, spec: Partial<AssetSpec> = {}) => asset({ key, compute: () => key, ...spec });

// raw -> clean -> (features, stats) -> model ; stats -> report ; lonely
const diamond = () =>
  new AssetGraph([
    node("raw", { group: "source" }),
    node("clean", { ins: { raw: {} } }),
    node("features", { ins: { data: { asset: "clean" } } }),
    node("stats", { deps: ["clean"] }),
    node("model", { ins: { features: {} }, deps: ["stats"], group: "ml" }),
    node("report", { ins: { stats: {} }, group: "ml" }),
    node("lonely"),
  ]);

describe("AssetGraph", () => {
  it("links value inputs (including renamed ones) and deps in both directions", () => {
    const graph = diamond();
    expect(graph.upstream("features")).toEqual(["clean"]);
    expect(graph.upstream("model")).toEqual(["features", "stats"]);
    expect(graph.downstream("clean")).toEqual(["features", "stats"]);
    expect(graph.downstream("stats")).toEqual(["model", "report"]);
    expect(graph.upstream("raw")).toEqual([]);
    expect(graph.downstream("lonely")).toEqual([]);
  });

  it("orders upstream before downstream and breaks ties by definition order", () => {
    const graph = new AssetGraph([
      node("late_reader", { ins: { source: {} } }),
      node("independent"),
      node("source"),
      node("after_both", { deps: ["late_reader", "independent"] }),
    ]);
    expect(graph.topologicalOrder()).toEqual(["independent", "source", "late_reader", "after_both"]);
    expect(diamond().topologicalOrder()).toEqual([
      "raw",
      "clean",
      "features",
      "stats",
      "model",
      "report",
      "lonely",
    ]);
  });

  it("sorts an arbitrary subset of keys topologically", () => {
    expect(diamond().sortTopologically(["report", "lonely", "raw", "stats"])).toEqual([
      "raw",
      "stats",
      "report",
      "lonely",
    ]);
  });

  it("finds each cycle once, starting at its earliest-defined asset, self-loops included", () => {
    const graph = new AssetGraph([
      node("ok"),
      node("b", { ins: { a: {} } }),
      node("c", { deps: ["b"] }),
      node("a", { ins: { c: {} }, deps: ["ok"] }),
      node("selfish", { deps: ["selfish"] }),
    ]);
    const cycles = graph.findCycles();
    expect(cycles).toEqual([["b", "c", "a"], ["selfish"]]);
    expect(cycles.map(formatCycle)).toEqual(["b -> c -> a -> b", "selfish -> selfish"]);
    expect(diamond().findCycles()).toEqual([]);
  });

  it("refuses a topological order for a cyclic graph, printing the cycle", () => {
    const graph = new AssetGraph([node("x", { deps: ["y"] }), node("y", { ins: { x: {} } })]);
    expect(() => graph.topologicalOrder()).toThrow(DefinitionError);
    expect(() => graph.topologicalOrder()).toThrow("x -> y -> x");
  });

  it("walks n layers upstream or downstream, keeping the roots", () => {
    const graph = diamond();
    expect([...graph.upstreamLayers(["model"], 1)].sort()).toEqual(["features", "model", "stats"]);
    expect([...graph.upstreamLayers(["model"], 2)].sort()).toEqual(["clean", "features", "model", "stats"]);
    expect([...graph.upstreamLayers(["model"])].sort()).toEqual([
      "clean",
      "features",
      "model",
      "raw",
      "stats",
    ]);
    expect([...graph.downstreamLayers(["raw"], 1)].sort()).toEqual(["clean", "raw"]);
    expect([...graph.downstreamLayers(["raw"], 0)]).toEqual(["raw"]);
    expect([...graph.downstreamLayers(["clean"])].sort()).toEqual([
      "clean",
      "features",
      "model",
      "report",
      "stats",
    ]);
  });

  it("groups assets by group name in order of first appearance", () => {
    const groups = diamond().groups();
    expect([...groups.keys()]).toEqual(["source", "default", "ml"]);
    expect(groups.get("default")).toEqual(["clean", "features", "stats", "lonely"]);
    expect(diamond().groupOf("report")).toBe("ml");
  });

  it("ignores references to unknown assets (validation reports them)", () => {
    const graph = new AssetGraph([node("a", { deps: ["ghost"] })]);
    expect(graph.upstream("a")).toEqual([]);
    expect(graph.topologicalOrder()).toEqual(["a"]);
    expect(() => graph.get("ghost")).toThrow(DefinitionError);
  });

  it("handles a long chain without deep recursion", () => {
    const chain = Array.from({ length: 5000 }, (_, i) =>
      node(`n${i}`, i === 0 ? {} : { deps: [`n${i - 1}`] }),
    );
    const graph = new AssetGraph(chain.reverse());
    expect(graph.findCycles()).toEqual([]);
    const order = graph.topologicalOrder();
    expect(order[0]).toBe("n0");
    expect(order[4999]).toBe("n4999");
  });
});
