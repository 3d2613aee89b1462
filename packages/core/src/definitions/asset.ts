import { DefinitionError } from "../errors.ts";
import type { PartitionMapping } from "./partition-mapping.ts";
import type { AssetDefinition, AssetIn, AssetSpec } from "./types.ts";

/** Any asset, whatever its config type (compute's ctx makes AssetDefinition invariant in Config). */
// biome-ignore lint/suspicious/noExplicitAny: only `any` admits assets of every config type.
export type AnyAssetDefinition = AssetDefinition<any>;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const IDENTIFIER_RULE = "letters, digits and _, not starting with a digit (e.g. draft_response)";

/** Asset keys and group names must be identifiers so selections can name them unquoted. */
export function isIdentifier(name: unknown): name is string {
  return typeof name === "string" && IDENTIFIER.test(name);
}

function fail(asset: string | undefined, message: string, hint: string): never {
  throw new DefinitionError("INVALID_ASSET", message, { context: { asset }, hint });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringList(key: string, field: string, value: unknown, hint: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v === "")) {
    fail(key, `asset "${key}": ${field} must be an array of non-empty strings`, hint);
  }
  return [...new Set(value as string[])];
}

function normalizeIns(key: string, ins: unknown): Record<string, AssetIn> {
  if (ins === undefined) return Object.freeze({});
  if (!isPlainObject(ins)) {
    fail(
      key,
      `asset "${key}": ins must be an object { inputName: { asset?: "key" } }`,
      "e.g. ins: { raw: {} }",
    );
  }
  const out: Record<string, AssetIn> = {};
  for (const [name, spec] of Object.entries(ins)) {
    if (!isIdentifier(name)) {
      fail(key, `asset "${key}": input name "${name}" is not valid`, `input names use ${IDENTIFIER_RULE}`);
    }
    if (spec !== undefined && !isPlainObject(spec)) {
      fail(key, `asset "${key}": input "${name}" must be an object`, `write ins: { ${name}: {} }`);
    }
    const upstream = (spec as AssetIn | undefined)?.asset;
    if (upstream !== undefined && !isIdentifier(upstream)) {
      fail(
        key,
        `asset "${key}": input "${name}" names an invalid asset key "${String(upstream)}"`,
        `asset keys use ${IDENTIFIER_RULE}`,
      );
    }
    const versioned = (spec as AssetIn | undefined)?.versioned;
    if (versioned !== undefined && typeof versioned !== "boolean") {
      fail(
        key,
        `asset "${key}": input "${name}" has a versioned flag that is not true or false`,
        `write ins: { ${name}: { versioned: false } } or leave versioned out`,
      );
    }
    out[name] = Object.freeze({
      ...(upstream === undefined ? {} : { asset: upstream }),
      ...(versioned === undefined ? {} : { versioned }),
    });
  }
  return Object.freeze(out);
}

function normalizeTags(key: string, tags: unknown): Record<string, string> {
  if (tags === undefined) return Object.freeze({});
  if (!isPlainObject(tags) || Object.values(tags).some((v) => typeof v !== "string")) {
    fail(key, `asset "${key}": tags must be an object of string values`, 'e.g. tags: { tier: "gold" }');
  }
  return Object.freeze({ ...(tags as Record<string, string>) });
}

function checkRetry(key: string, retry: unknown): void {
  if (retry === undefined) return;
  const r = retry as { maxAttempts?: unknown; delayMs?: unknown; backoff?: unknown };
  const hint = "e.g. retry: { maxAttempts: 3, delayMs: 1000, backoff: 2 }";
  if (!isPlainObject(retry) || !Number.isInteger(r.maxAttempts) || (r.maxAttempts as number) < 1) {
    fail(key, `asset "${key}": retry.maxAttempts must be an integer >= 1`, hint);
  }
  if (r.delayMs !== undefined && !(typeof r.delayMs === "number" && r.delayMs >= 0)) {
    fail(key, `asset "${key}": retry.delayMs must be a number >= 0`, hint);
  }
  if (r.backoff !== undefined && !(typeof r.backoff === "number" && r.backoff >= 1)) {
    fail(key, `asset "${key}": retry.backoff must be a number >= 1`, hint);
  }
}

function normalizeMappings(key: string, mappings: unknown): Record<string, PartitionMapping> | undefined {
  if (mappings === undefined) return undefined;
  const hint = "e.g. partitionMappings: { draft_response: partitionMapping(() => (key) => [parentOf(key)]) }";
  if (!isPlainObject(mappings)) fail(key, `asset "${key}": partitionMappings must be an object`, hint);
  for (const [upstream, mapping] of Object.entries(mappings)) {
    const m = mapping as Partial<PartitionMapping> | null;
    if (m?.kind !== "partition-mapping" || typeof m.load !== "function") {
      fail(key, `asset "${key}": partitionMappings.${upstream} must come from partitionMapping(load)`, hint);
    }
  }
  return Object.freeze({ ...(mappings as Record<string, PartitionMapping>) });
}

/** Declares an asset: validates the spec and returns a frozen definition with defaults filled in. */
export function asset<Config = Record<string, unknown>>(spec: AssetSpec<Config>): AssetDefinition<Config> {
  if (!isPlainObject(spec)) {
    fail(undefined, "asset() expects a spec object", 'call asset({ key: "my_asset", compute: () => ... })');
  }
  const key = spec.key;
  if (!isIdentifier(key)) {
    fail(undefined, `invalid asset key ${JSON.stringify(key)}`, `asset keys use ${IDENTIFIER_RULE}`);
  }
  const group = spec.group ?? "default";
  if (!isIdentifier(group)) {
    fail(
      key,
      `asset "${key}": invalid group name ${JSON.stringify(group)}`,
      `group names use ${IDENTIFIER_RULE}`,
    );
  }
  if (typeof spec.compute !== "function") {
    fail(key, `asset "${key}" has no compute function`, "add compute: (ctx, inputs) => value");
  }
  const io = spec.io ?? "memory";
  if (typeof io !== "string" || io === "") {
    fail(key, `asset "${key}": io must be a non-empty IO manager key`, 'e.g. io: "json" (default "memory")');
  }
  const partitions = spec.partitions;
  if (partitions !== undefined && (partitions?.kind !== "dynamic" || typeof partitions.name !== "string")) {
    fail(
      key,
      `asset "${key}": partitions must come from dynamicPartitions(name)`,
      'e.g. partitions: dynamicPartitions("gens")',
    );
  }
  if (spec.isMaterialized !== undefined && typeof spec.isMaterialized !== "function") {
    fail(
      key,
      `asset "${key}": isMaterialized must be a function`,
      "return true when the partition exists outside the instance",
    );
  }
  if (spec.codeVersion !== undefined && (typeof spec.codeVersion !== "string" || spec.codeVersion === "")) {
    fail(key, `asset "${key}": codeVersion must be a non-empty string`, 'e.g. codeVersion: "2"');
  }
  if (spec.partitionCodeVersions !== undefined && typeof spec.partitionCodeVersions !== "function") {
    fail(
      key,
      `asset "${key}": partitionCodeVersions must be a function`,
      "return a lookup: () => (partitionKey) => version",
    );
  }
  if (spec.configSchema !== undefined && typeof spec.configSchema?.parse !== "function") {
    fail(
      key,
      `asset "${key}": configSchema must have a parse(input) method`,
      "pass a zod schema, e.g. z.object({...})",
    );
  }
  checkRetry(key, spec.retry);
  const partitionMappings = normalizeMappings(key, spec.partitionMappings);
  return Object.freeze({
    ...spec,
    ...(partitionMappings === undefined ? {} : { partitionMappings }),
    key,
    group,
    io,
    ins: normalizeIns(key, spec.ins),
    deps: Object.freeze(stringList(key, "deps", spec.deps, 'e.g. deps: ["raw_table"]')) as string[],
    resources: Object.freeze(
      stringList(key, "resources", spec.resources, 'e.g. resources: ["llm"]'),
    ) as string[],
    tags: normalizeTags(key, spec.tags),
    kinds: Object.freeze(stringList(key, "kinds", spec.kinds, 'e.g. kinds: ["csv"]')) as string[],
  });
}

/** Upstream asset key of each value input (the input name unless `asset` overrides it). */
export function inputAssetKeys(
  def: Pick<AnyAssetDefinition, "ins">,
): Array<{ input: string; asset: string }> {
  return Object.entries(def.ins).map(([input, spec]) => ({ input, asset: spec.asset ?? input }));
}

/**
 * Structural check rather than `instanceof`/registry so definitions built by another
 * copy of this module (e.g. loaded through a different path) are still accepted.
 */
export function isAssetDefinition(value: unknown): value is AnyAssetDefinition {
  if (!isPlainObject(value)) return false;
  return (
    typeof value.key === "string" &&
    typeof value.group === "string" &&
    typeof value.io === "string" &&
    typeof value.compute === "function" &&
    isPlainObject(value.ins) &&
    Array.isArray(value.deps) &&
    Array.isArray(value.resources) &&
    isPlainObject(value.tags) &&
    Array.isArray(value.kinds)
  );
}
