import type { AssetDefinition } from "../definitions/types.ts";
import type { AssetGraph } from "../graph/asset-graph.ts";
import { PartitionLookups } from "./partition-lookups.ts";
import type { PartitionTargets } from "./partitions.ts";

/** One (asset, partition) to materialize. Kept tiny: a run may plan 100k of them. */
export interface PlannedStep {
  readonly assetKey: string;
  readonly partitionKey: string | undefined;
}

/**
 * Steps and their ordering. Nodes `0..steps.length-1` are steps; the nodes after them are
 * barriers (one per upstream asset whose every step must finish before some downstream step
 * starts), so a barrier between N and M steps costs N + M edges instead of N * M.
 */
export interface Plan {
  readonly steps: PlannedStep[];
  /** Asset key of each barrier node (node index = steps.length + i). */
  readonly barriers: string[];
  /** Upstream node indices of every node (steps, then barriers). */
  readonly upstream: ReadonlyArray<readonly number[]>;
}

const NONE: readonly number[] = Object.freeze([]);

/** Printable label of a step: `asset` or `asset[partition]`. */
export function stepLabel(step: PlannedStep): string {
  return step.partitionKey === undefined ? step.assetKey : `${step.assetKey}[${step.partitionKey}]`;
}

/** How a downstream step relates to the steps of one upstream asset. */
type Link = "whole" | "same-partition" | "mapped" | "barrier";

function linkBetween(upstream: AssetDefinition<unknown>, downstream: AssetDefinition<unknown>): Link {
  if (upstream.partitions === undefined) return "whole";
  if (upstream.partitions.name === downstream.partitions?.name) return "same-partition";
  if (downstream.partitionMappings?.[upstream.key] !== undefined) return "mapped";
  return "barrier";
}

/**
 * Expands assets x partitions into steps. `keys` must be in topological order; edges only
 * join steps inside this run (an upstream outside the run is loaded from its IO manager).
 */
export function buildPlan(
  graph: AssetGraph,
  keys: readonly string[],
  targets: PartitionTargets,
  lookups: PartitionLookups = new PartitionLookups(),
): Plan {
  const steps: PlannedStep[] = [];
  const upstream: Array<readonly number[]> = [];
  const barriers: string[] = [];
  const firstStep = new Map<string, number>();
  const barrierOf = new Map<string, number>();
  const partitionIndex = new Map<string, Map<string | undefined, number>>();
  const inRun = new Set(keys);

  const stepsOf = (key: string): number => targets.get(key)?.length ?? 0;
  const indexByPartition = (key: string): Map<string | undefined, number> => {
    let index = partitionIndex.get(key);
    if (!index) {
      index = new Map();
      const start = firstStep.get(key)!;
      for (let i = 0; i < stepsOf(key); i++) index.set(steps[start + i].partitionKey, start + i);
      partitionIndex.set(key, index);
    }
    return index;
  };
  const barrierNode = (key: string): number => {
    let b = barrierOf.get(key);
    if (b === undefined) {
      b = barriers.length;
      barriers.push(key);
      barrierOf.set(key, b);
    }
    return b;
  };
  const barrierRefs: Array<{ step: number; barrier: number }> = [];

  for (const key of keys) {
    const def = graph.get(key);
    const sources = graph.upstream(key).filter((u) => inRun.has(u) && stepsOf(u) > 0);
    firstStep.set(key, steps.length);
    for (const partitionKey of targets.get(key) ?? []) {
      const index = steps.length;
      steps.push({ assetKey: key, partitionKey });
      if (sources.length === 0) {
        upstream.push(NONE);
        continue;
      }
      const deps: number[] = [];
      for (const source of sources) {
        const link = linkBetween(graph.get(source), def);
        if (link === "whole") deps.push(firstStep.get(source)!);
        else if (link === "same-partition") {
          const match = indexByPartition(source).get(partitionKey);
          if (match !== undefined) deps.push(match);
        } else if (link === "mapped") {
          const mapped = lookups.upstreamPartitions(def, graph.get(source), partitionKey);
          // A mapping that cannot tell for this key falls back to waiting for every upstream step.
          if (mapped === "all") barrierRefs.push({ step: index, barrier: barrierNode(source) });
          else {
            for (const k of mapped) {
              const match = indexByPartition(source).get(k);
              if (match !== undefined) deps.push(match);
            }
          }
        } else barrierRefs.push({ step: index, barrier: barrierNode(source) });
      }
      upstream.push(deps);
    }
  }

  // Barrier node ids are only known once every step exists; resolve them now.
  for (const { step, barrier } of barrierRefs) {
    (upstream[step] as number[]).push(steps.length + barrier);
  }
  for (const key of barriers) {
    const start = firstStep.get(key)!;
    upstream.push(Array.from({ length: stepsOf(key) }, (_, i) => start + i));
  }
  return { steps, barriers, upstream };
}
