import type { MaterializeResult, Metadata } from "./types.ts";

const BRAND: unique symbol = Symbol.for("@daydream/core/materialize-result");

/** Return this from compute to attach metadata to the materialization event. */
export function withMetadata<T>(value: T, metadata: Metadata): MaterializeResult<T> {
  // Non-enumerable so the result still compares and spreads like { value, metadata }.
  const result = Object.defineProperty({ value, metadata }, BRAND, { value: true });
  return Object.freeze(result);
}

function isPlainMetadata(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * True for a `withMetadata` result, or a plain object literal `{ value, metadata }` with
 * exactly those two own keys and a metadata object. Anything else (e.g. a row that merely
 * has a `value` column) is a value in its own right.
 */
export function isMaterializeResult(x: unknown): x is MaterializeResult {
  if (typeof x !== "object" || x === null) return false;
  if ((x as { [BRAND]?: unknown })[BRAND] === true) return true;
  const proto = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(x);
  return (
    keys.length === 2 &&
    keys.includes("value") &&
    keys.includes("metadata") &&
    isPlainMetadata((x as { metadata: unknown }).metadata)
  );
}
