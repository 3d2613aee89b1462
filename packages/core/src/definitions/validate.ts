import { type AssetGraph, formatCycle } from "../graph/asset-graph.ts";
import { closestNames, didYouMean } from "../graph/selection/suggest.ts";
import { type AnyAssetDefinition, inputAssetKeys } from "./asset.ts";
import { isAssetCheckDefinition } from "./check.ts";
import type { IOManager } from "./types.ts";

/** One thing wrong with a set of definitions; all of them are reported together. */
export interface DefinitionProblem {
  message: string;
  hint: string;
  /** Asset keys involved, for the error context. */
  assets: string[];
}

function quoteList(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(", ");
}

function withSuggestion(hint: string, name: string, candidates: Iterable<string>): string {
  const suggestion = didYouMean(closestNames(name, candidates));
  return suggestion ? `${suggestion} (or ${hint})` : hint;
}

export function duplicateKeyProblems(assets: readonly AnyAssetDefinition[]): DefinitionProblem[] {
  const positions = new Map<string, number[]>();
  assets.forEach((def, i) => {
    positions.set(def.key, [...(positions.get(def.key) ?? []), i]);
  });
  return [...positions]
    .filter(([, at]) => at.length > 1)
    .map(([key, at]) => ({
      message: `duplicate asset key "${key}" (defined ${at.length} times: ${at.map((i) => `assets[${i}]`).join(", ")})`,
      hint: "give each asset a unique key, or remove the repeated entry from the assets list",
      assets: [key],
    }));
}

export function unknownReferenceProblems(assets: readonly AnyAssetDefinition[]): DefinitionProblem[] {
  const known = new Set(assets.map((a) => a.key));
  const problems: DefinitionProblem[] = [];
  for (const def of assets) {
    for (const { input, asset } of inputAssetKeys(def)) {
      if (known.has(asset)) continue;
      const what = input === asset ? `input "${input}"` : `input "${input}" (asset "${asset}")`;
      problems.push({
        message: `asset "${def.key}" reads ${what}, but no asset "${asset}" is defined`,
        hint: withSuggestion("add that asset to the definitions, or fix the input", asset, known),
        assets: [def.key],
      });
    }
    for (const dep of def.deps) {
      if (known.has(dep)) continue;
      problems.push({
        message: `asset "${def.key}" depends on "${dep}", but no asset "${dep}" is defined`,
        hint: withSuggestion("add that asset to the definitions, or remove it from deps", dep, known),
        assets: [def.key],
      });
    }
  }
  return problems;
}

export function cycleProblems(graph: AssetGraph): DefinitionProblem[] {
  return graph.findCycles().map((cycle) => ({
    message: `dependency cycle: ${formatCycle(cycle)}`,
    hint: "an asset cannot depend on itself, even indirectly: remove one of these inputs or deps",
    assets: cycle,
  }));
}

/**
 * Value inputs map partition to partition, or pass an unpartitioned value whole; any other
 * pairing has no well-defined value, so it must be an ordering-only dep.
 */
export function partitionMappingProblems(graph: AssetGraph): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  for (const key of graph.keys) {
    const def = graph.get(key);
    for (const { input, asset } of inputAssetKeys(def)) {
      if (!graph.has(asset)) continue;
      const upstream = graph.get(asset).partitions?.name;
      const downstream = def.partitions?.name;
      if (upstream === undefined || upstream === downstream) continue;
      const target = downstream === undefined ? "unpartitioned" : `partitioned by "${downstream}"`;
      problems.push({
        message:
          `asset "${key}" (${target}) reads value input "${input}" from asset "${asset}" ` +
          `(partitioned by "${upstream}"): there is no single upstream partition to pass`,
        hint:
          `move "${asset}" from ins to deps (ordering only) and read what you need inside compute, ` +
          `or give both assets the same partitions definition`,
        assets: [key, asset],
      });
    }
  }
  return problems;
}

/** A partition mapping names a dep partitioned by another definition than its asset's. */
export function declaredMappingProblems(graph: AssetGraph): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  for (const key of graph.keys) {
    const def = graph.get(key);
    for (const upstream of Object.keys(def.partitionMappings ?? {})) {
      const problem = mappingProblem(graph, def, upstream);
      if (problem)
        problems.push({
          message: `asset "${key}": partition mapping for "${upstream}" ${problem}`,
          hint: "keep partitionMappings for deps partitioned by another partitions definition than the asset's",
          assets: [key],
        });
    }
  }
  return problems;
}

function mappingProblem(graph: AssetGraph, def: AnyAssetDefinition, upstream: string): string | undefined {
  if (!def.deps.includes(upstream)) return `names no dep of the asset (add "${upstream}" to deps)`;
  if (!graph.has(upstream)) return undefined;
  const from = graph.get(upstream).partitions?.name;
  const to = def.partitions?.name;
  if (from === undefined || to === undefined) return "needs both assets partitioned";
  if (from === to) return `is not needed: both are partitioned by "${to}" (partition to same partition)`;
  return undefined;
}

export function missingResourceProblems(
  assets: readonly AnyAssetDefinition[],
  resources: Readonly<Record<string, unknown>>,
): DefinitionProblem[] {
  const missing = new Map<string, string[]>();
  for (const def of assets) {
    for (const name of def.resources) {
      if (!Object.hasOwn(resources, name)) missing.set(name, [...(missing.get(name) ?? []), def.key]);
    }
  }
  return [...missing].map(([name, users]) => ({
    message: `resource "${name}" is required by ${quoteList(users)} but not provided`,
    hint: withSuggestion(
      `add resources: { ${name}: ... } to defineDefinitions`,
      name,
      Object.keys(resources),
    ),
    assets: users,
  }));
}

export function missingIOManagerProblems(
  assets: readonly AnyAssetDefinition[],
  ioManagers: Readonly<Record<string, IOManager>>,
): DefinitionProblem[] {
  const missing = new Map<string, string[]>();
  for (const def of assets) {
    if (!Object.hasOwn(ioManagers, def.io)) missing.set(def.io, [...(missing.get(def.io) ?? []), def.key]);
  }
  return [...missing].map(([name, users]) => ({
    message: `IO manager "${name}" is used by ${quoteList(users)} but not provided`,
    hint: withSuggestion(
      `add ioManagers: { ${name}: jsonIOManager({ dir }) } (or another IO manager) to defineDefinitions`,
      name,
      Object.keys(ioManagers),
    ),
    assets: users,
  }));
}

export function invalidIOManagerProblems(ioManagers: Readonly<Record<string, unknown>>): DefinitionProblem[] {
  return Object.entries(ioManagers)
    .filter(([, m]) => {
      const io = m as Partial<IOManager> | null;
      return typeof io?.handleOutput !== "function" || typeof io?.loadInput !== "function";
    })
    .map(([name]) => ({
      message: `IO manager "${name}" lacks handleOutput/loadInput methods`,
      hint: "pass an IOManager such as memoryIOManager(), jsonIOManager({ dir }) or your own object",
      assets: [],
    }));
}

/** Checks must be `assetCheck()` results naming a known asset, unique per asset, with their resources provided. */
export function checkProblems(
  checks: readonly unknown[],
  assets: ReadonlySet<string>,
  resources: Readonly<Record<string, unknown>>,
): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const seen = new Set<string>();
  checks.forEach((entry, i) => {
    if (!isAssetCheckDefinition(entry)) {
      problems.push({
        message: `checks[${i}] is not a check definition`,
        hint: "wrap each check with assetCheck({...}) and check the import is not undefined",
        assets: [],
      });
      return;
    }
    const label = `check "${entry.name}" of asset "${entry.asset}"`;
    if (!assets.has(entry.asset)) {
      problems.push({
        message: `${label}: no asset "${entry.asset}" is defined`,
        hint: withSuggestion("add the asset, or fix the check's asset key", entry.asset, assets),
        assets: [],
      });
    }
    const id = `${entry.asset}.${entry.name}`;
    if (seen.has(id)) {
      problems.push({
        message: `${label} is defined more than once`,
        hint: "give each check of an asset a unique name",
        assets: [entry.asset],
      });
    }
    seen.add(id);
    for (const name of entry.resources) {
      if (Object.hasOwn(resources, name)) continue;
      problems.push({
        message: `${label} requires resource "${name}", which is not provided`,
        hint: `add resources: { ${name}: ... } to defineDefinitions`,
        assets: [entry.asset],
      });
    }
  });
  return problems;
}
