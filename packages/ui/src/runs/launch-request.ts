/**
 * Validates a launch request body into materialize's options, with the CLI's
 * choices: one partition key, a list, missing, all, or none.
 */
import { type PartitionsSelector, type RunConfig, validatePartitionKey } from "@daydream/core";
import { parse as parseYaml } from "yaml";
import { badRequest } from "../errors.ts";

export type PartitionMode = "none" | "key" | "keys" | "missing" | "all";

export interface LaunchRequest {
  selection: string;
  partitions: PartitionsSelector | undefined;
  concurrency: number | undefined;
  failFast: boolean;
  runConfig: RunConfig | undefined;
}

const HINT =
  'send {"selection": "draft_response", "partitions": {"mode": "keys", "keys": ["k1", "k2"]}, "concurrency": 8}';

export function parseLaunchRequest(body: unknown): LaunchRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("launch request must be a JSON object", { hint: HINT });
  }
  const fields = body as Record<string, unknown>;
  const selection = fields.selection;
  if (typeof selection !== "string" || selection.trim() === "") {
    throw badRequest('"selection" must be a non-empty selection string', { hint: HINT });
  }
  return {
    selection: selection.trim(),
    partitions: parsePartitions(fields.partitions),
    concurrency: parseConcurrency(fields.concurrency),
    failFast: parseBoolean(fields.failFast, "failFast"),
    runConfig: parseRunConfig(fields.runConfig),
  };
}

function parsePartitions(value: unknown): PartitionsSelector | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw badRequest('"partitions" must be an object with a "mode"', { hint: HINT });
  }
  const { mode, key, keys } = value as { mode?: unknown; key?: unknown; keys?: unknown };
  switch (mode) {
    case "none":
      return undefined;
    case "missing":
    case "all":
      return mode;
    case "key": {
      if (typeof key !== "string") {
        throw badRequest('partitions mode "key" needs "key": a partition key', { hint: HINT });
      }
      return { keys: [checkedKey(key.trim(), 0)] };
    }
    case "keys": {
      const list = typeof keys === "string" ? splitKeyList(keys) : keys;
      if (!Array.isArray(list) || list.length === 0 || list.some((k) => typeof k !== "string")) {
        throw badRequest('partitions mode "keys" needs "keys": a non-empty list of partition keys', {
          hint: HINT,
        });
      }
      return { keys: [...new Set(list.map((k: string, i) => checkedKey(k.trim(), i)))] };
    }
    default:
      throw badRequest(`unknown partitions mode ${JSON.stringify(mode)}`, {
        hint: 'use one of "none", "key", "keys", "missing", "all"',
      });
  }
}

/** A pasted list: one key per line or comma-separated; blank lines ignored. */
function splitKeyList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((k) => k.trim())
    .filter((k) => k !== "");
}

function checkedKey(key: string, index: number): string {
  validatePartitionKey(key, { index });
  return key;
}

function parseConcurrency(value: unknown): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 1024) {
    throw badRequest(`"concurrency" must be an integer from 1 to 1024, got ${JSON.stringify(value)}`, {
      hint: HINT,
    });
  }
  return n;
}

function parseBoolean(value: unknown, name: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") {
    throw badRequest(`"${name}" must be true or false`, { hint: HINT });
  }
  return value;
}

/** Run config as an object, or as YAML text (the same document the CLI's --config reads). */
function parseRunConfig(value: unknown): RunConfig | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  let doc = value;
  if (typeof value === "string") {
    try {
      doc = parseYaml(value);
    } catch (cause) {
      throw badRequest(`"runConfig" is not valid YAML: ${(cause as Error).message}`, {
        hint: "write e.g.\nassets:\n  cohort_id:\n    override: my-cohort",
        cause,
      });
    }
  }
  if (doc === null || doc === undefined) return undefined;
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw badRequest('"runConfig" must be a mapping like {"assets": {"<asset>": {...}}}', {
      hint: "write e.g.\nassets:\n  cohort_id:\n    override: my-cohort",
    });
  }
  const assets = (doc as { assets?: unknown }).assets;
  if (assets !== undefined && (typeof assets !== "object" || assets === null || Array.isArray(assets))) {
    throw badRequest('"runConfig.assets" must map asset keys to config objects', {
      hint: "write e.g.\nassets:\n  cohort_id:\n    override: my-cohort",
    });
  }
  return doc as RunConfig;
}
