import { DefinitionError } from "../errors.ts";
import { AssetGraph } from "../graph/asset-graph.ts";
import { memoryIOManager } from "../io/memory.ts";
import { type AnyAssetDefinition, isAssetDefinition } from "./asset.ts";
import type { AssetCheckDefinition } from "./check-types.ts";
import type { Definitions, DefinitionsSpec, IOManager } from "./types.ts";
import {
  checkProblems,
  cycleProblems,
  type DefinitionProblem,
  declaredMappingProblems,
  duplicateKeyProblems,
  invalidIOManagerProblems,
  missingIOManagerProblems,
  missingResourceProblems,
  partitionMappingProblems,
  unknownReferenceProblems,
} from "./validate.ts";

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") {
    const key = (value as { key?: unknown }).key;
    return typeof key === "string" ? `a plain spec with key "${key}"` : "an object";
  }
  return typeof value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkShape(spec: DefinitionsSpec): void {
  const fail = (message: string, hint: string): never => {
    throw new DefinitionError("INVALID_DEFINITIONS", message, { hint });
  };
  if (!isRecord(spec))
    fail("defineDefinitions() expects an object", "call defineDefinitions({ assets: [...] })");
  if (!Array.isArray(spec.assets))
    fail("defineDefinitions(): assets must be an array", "pass assets: [myAsset, ...]");
  if (spec.resources !== undefined && !isRecord(spec.resources)) {
    fail("defineDefinitions(): resources must be an object", "pass resources: { name: value }");
  }
  if (spec.ioManagers !== undefined && !isRecord(spec.ioManagers)) {
    fail(
      "defineDefinitions(): ioManagers must be an object",
      "pass ioManagers: { json: jsonIOManager({ dir }) }",
    );
  }
  if (spec.checks !== undefined && !Array.isArray(spec.checks)) {
    fail("defineDefinitions(): checks must be an array", "pass checks: [assetCheck({...}), ...]");
  }
}

function checksByAsset(checks: readonly AssetCheckDefinition[]): Map<string, AssetCheckDefinition[]> {
  const byAsset = new Map<string, AssetCheckDefinition[]>();
  for (const check of checks) byAsset.set(check.asset, [...(byAsset.get(check.asset) ?? []), check]);
  return byAsset;
}

function toError(problems: DefinitionProblem[]): DefinitionError {
  const assets = [...new Set(problems.flatMap((p) => p.assets))].join(", ");
  if (problems.length === 1) {
    const [p] = problems;
    return new DefinitionError("INVALID_DEFINITIONS", `invalid definitions: ${p.message}`, {
      context: { assets },
      hint: p.hint,
    });
  }
  const lines = problems.map((p, i) => `  ${i + 1}. ${p.message}\n     hint: ${p.hint}`);
  return new DefinitionError(
    "INVALID_DEFINITIONS",
    `${problems.length} problems in definitions:\n${lines.join("\n")}`,
    {
      context: { assets, problems: problems.length },
      hint: "fix each problem listed above (each names the assets involved)",
    },
  );
}

/**
 * Bundles assets, resources and IO managers, validating them as a whole. Every problem found
 * is reported in one error so a user fixes them in one pass. A "memory" IO manager is always
 * available unless the caller supplies their own under that key.
 */
export function defineDefinitions(spec: DefinitionsSpec): Definitions {
  checkShape(spec);
  const problems: DefinitionProblem[] = [];
  const assets: AnyAssetDefinition[] = [];
  spec.assets.forEach((entry: unknown, i) => {
    if (isAssetDefinition(entry)) assets.push(entry);
    else {
      problems.push({
        message: `assets[${i}] is not an asset definition (got ${describeValue(entry)})`,
        hint: "wrap each spec with asset({...}) and check the import is not undefined",
        assets: [],
      });
    }
  });
  const resources = Object.freeze({ ...(spec.resources ?? {}) });
  const ioManagers: Readonly<Record<string, IOManager>> = Object.freeze({
    memory: memoryIOManager(),
    ...(spec.ioManagers ?? {}),
  });
  const graph = new AssetGraph(assets);
  problems.push(
    ...duplicateKeyProblems(assets),
    ...unknownReferenceProblems(assets),
    ...cycleProblems(graph),
    ...partitionMappingProblems(graph),
    ...declaredMappingProblems(graph),
    ...checkProblems(spec.checks ?? [], new Set(graph.keys), resources),
    ...missingResourceProblems(assets, resources),
    ...invalidIOManagerProblems(ioManagers),
    ...missingIOManagerProblems(assets, ioManagers),
  );
  if (problems.length > 0) throw toError(problems);
  const byKey = new Map(graph.keys.map((key) => [key, graph.get(key)]));
  const checks = checksByAsset((spec.checks ?? []) as AssetCheckDefinition[]);
  return Object.freeze({ kind: "definitions", assets: byKey, resources, ioManagers, checks });
}

/** True for the result of `defineDefinitions` (checked structurally, see `isAssetDefinition`). */
export function isDefinitions(value: unknown): value is Definitions {
  return isRecord(value) && value.kind === "definitions" && value.assets instanceof Map;
}
