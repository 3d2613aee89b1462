import { createHash } from "node:crypto";

/** Hex digits kept of the SHA-256: 64 bits tell versions of one partition apart. */
const DIGITS = 16;

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Map) return { $map: [...value.entries()] };
  if (value instanceof Set) return { $set: [...value.values()] };
  if (typeof value === "bigint") return { $bigint: value.toString() };
  return value;
}

/**
 * The data version of an output value: a content hash of its text, bytes or JSON form (maps
 * and sets by their entries). Null when the value has no such form (a cycle, a function
 * only): such an output is never the cause of its downstream going stale.
 */
export function dataVersionOf(value: unknown): string | null {
  const hash = createHash("sha256");
  if (typeof value === "string") hash.update("s:").update(value);
  else if (value instanceof Uint8Array) hash.update("b:").update(value);
  else {
    let json: string | undefined;
    try {
      json = JSON.stringify(value, jsonReplacer);
    } catch (err) {
      if (err instanceof TypeError) return null;
      throw err;
    }
    if (json === undefined) return null;
    hash.update("j:").update(json);
  }
  return hash.digest("hex").slice(0, DIGITS);
}
