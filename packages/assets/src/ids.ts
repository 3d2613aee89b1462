/**
 * Identifiers, byte-identical to the original Python pipeline's (gen ids, combo ids,
 * cohort ids), so data directories written by either implementation stay compatible.
 */
import { hash } from "node:crypto";
import { AssetsError, PartitionError, validatePartitionKey } from "@daydream/core";
import { blake2s } from "@noble/hashes/blake2.js";
import { pyFloatRepr } from "./parsing/python-compat.ts";

/** Hashed into every deterministic cohort id; bump only when the pipeline's outputs change meaning. */
export const PIPELINE_VERSION = "2025-09-09";

/** An id that cannot safely become a single directory name, or bad id inputs. */
export class UnsafeIdError extends AssetsError {}

export interface GenIdOptions {
  /** Cohort-scoped ids pass the cohort id here; empty counts as not given. */
  runId?: string | null;
  /** Extra disambiguation (e.g. a retry); empty counts as not given. */
  salt?: string | null;
  /** Number of base-36 characters (default 16). */
  length?: number;
}

/**
 * Deterministic generation id: SHA-256 over each part followed by `|` (stage, task id,
 * run id, salt), first 12 bytes as a big-endian integer in base 36, left-padded with
 * `0` to `length`, then cut to `length`. The `|` join makes `("a|b")` and
 * `("a", runId "b")` collide; that is the original behaviour and is kept.
 */
export function reserveGenId(stage: string, taskId: string, options: GenIdOptions = {}): string {
  return genIdsOf(stage, options)(taskId);
}

/**
 * reserveGenId for many task ids of one stage and options (a cohort's 80,000 evaluations):
 * the fixed parts are checked and joined once.
 */
export function genIdsOf(stage: string, options: GenIdOptions = {}): (taskId: string) => string {
  const { runId, salt, length = 16 } = options;
  if (!Number.isInteger(length) || length < 1) {
    throw new UnsafeIdError("INVALID_ID_LENGTH", `gen id length must be a positive integer, got ${length}`, {
      context: { stage },
      hint: "omit length to get the standard 16 characters",
    });
  }
  let suffix = "|";
  for (const part of [runId, salt]) {
    if (!part) continue;
    requireWellFormed(part, "gen id part");
    suffix += `${part}|`;
  }
  requireWellFormed(stage, "gen id part");
  const prefix = `${stage}|`;
  return (taskId) => {
    requireWellFormed(taskId, "gen id part");
    // One-shot hash of the joined text: same bytes as hashing each part then `|`, several times faster.
    const hex = hash("sha256", prefix + taskId + suffix, "hex");
    const value = BigInt(`0x${hex.slice(0, 24)}`);
    return value.toString(36).padStart(length, "0").slice(0, length);
  };
}

/** Python cannot UTF-8-encode a lone surrogate; hashing U+FFFD instead would silently differ. */
function requireWellFormed(text: string, what: string): void {
  if (!text.isWellFormed()) {
    throw new UnsafeIdError(
      "ILL_FORMED_TEXT",
      `${what} ${JSON.stringify(text)} contains a lone UTF-16 surrogate`,
      {
        hint: "ids must be valid Unicode text; check how the value was read or built",
      },
    );
  }
}

/** Code-point order, as Python sorts strings (JavaScript's default compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate unit starts a character above U+FFFF, so it sorts after any other BMP unit.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** `combo_v1_` + first 12 hex chars of SHA-256 over the sorted concept ids, level and k_max joined by `|`. */
export function comboId(conceptIds: readonly string[], level: string, kMax: number): string {
  if (!Number.isInteger(kMax)) {
    throw new UnsafeIdError("INVALID_K_MAX", `k_max must be an integer, got ${kMax}`, {
      context: { level },
      hint: "k_max is the maximum number of concepts per combination, a whole number",
    });
  }
  for (const id of [...conceptIds, level]) requireWellFormed(id, "combo id part");
  const sorted = [...conceptIds].sort(compareCodePoints);
  const input = `${sorted.join("|")}|${level}|${kMax}`;
  return `combo_v1_${hash("sha256", input, "hex").slice(0, 12)}`;
}

/** What a cohort id is computed from (extra keys are ignored). */
export interface CohortManifest {
  combos?: readonly string[] | null;
  templates?: { draft?: readonly string[]; essay?: readonly string[]; evaluation?: readonly string[] } | null;
  llms?: { generation?: readonly string[]; evaluation?: readonly string[] } | null;
  prompt_versions?: Record<string, unknown> | null;
  [extra: string]: unknown;
}

/**
 * `<kind>-` + hex BLAKE2s (6-byte digest parameter, not a truncation of BLAKE2s-256) of
 * the canonical JSON of combos, llms, templates, prompt_versions and the pipeline
 * version. A non-empty explicit id is returned unchanged; `""` falls through to the hash.
 */
export function computeCohortId(
  manifest: CohortManifest,
  options: { explicit?: string | null; kind?: string } = {},
): string {
  const { explicit, kind = "cohort" } = options;
  if (explicit) return explicit;
  const stable = {
    combos: manifest.combos ?? null,
    llms: manifest.llms ?? null,
    templates: manifest.templates ?? null,
    prompt_versions: manifest.prompt_versions ?? null,
    pipeline_version: PIPELINE_VERSION,
  };
  const digest = blake2s(new TextEncoder().encode(canonicalJson(stable)), { dkLen: 6 });
  return `${kind}-${Buffer.from(digest).toString("hex")}`;
}

/**
 * Python's `json.dumps(value, sort_keys=True, separators=(",", ":"))`: keys sorted by code
 * point, non-ASCII and DEL escaped as lowercase `\uXXXX` (astral characters as surrogate
 * pairs), `/` not escaped. Safe integers print as integers (JavaScript cannot tell
 * `1` from `1.0`); other numbers as Python's float repr.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return jsonNumber(value);
  if (typeof value === "string") return jsonString(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => compareCodePoints(a, b));
    return `{${entries.map(([k, v]) => `${jsonString(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  throw new UnsafeIdError(
    "UNSERIALIZABLE_MANIFEST",
    `cannot serialise a ${typeof value} into a cohort manifest`,
    {
      hint: "manifests hold only strings, numbers, booleans, null, arrays and plain objects",
    },
  );
}

function jsonNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
  // Beyond 2^53 a number cannot have come from an exact int, so it prints as Python's float would.
  if (Number.isSafeInteger(n)) return String(n);
  return pyFloatRepr(n);
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const code = s.charCodeAt(i);
    if (SHORT_ESCAPES[ch] !== undefined) out += SHORT_ESCAPES[ch];
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    else out += `\\u${code.toString(16).padStart(4, "0")}`;
  }
  return `${out}"`;
}

/**
 * Rejects an id that cannot become a partition key and a single directory name (used before
 * ids become paths or keys): the partition-key rule of @daydream/core, the one rule the CLI,
 * the UI and the pipeline share. Throws UnsafeIdError with that rule's message and hint, so
 * callers can add the file and line it came from.
 */
export function assertSafeId(id: string, what: string): string {
  try {
    validatePartitionKey(id, { what });
  } catch (err) {
    if (!(err instanceof PartitionError)) throw err;
    throw new UnsafeIdError("UNSAFE_ID", err.message, {
      context: { [what.replace(/\s+/g, "_")]: id },
      hint: err.hint,
      cause: err,
    });
  }
  return id;
}
