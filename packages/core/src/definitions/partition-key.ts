import { PartitionError } from "../errors.ts";

/** Partition keys become file names (`<dir>/<asset>/<key>.<ext>`), hence these limits. */
export const MAX_PARTITION_KEY_BYTES = 255;

const KEY_RULES_HINT =
  'partition keys and ids become file and directory names: use a non-empty string of at most 255 bytes (UTF-8), not ".", without leading or trailing whitespace, "/", "\\", "..", any of <>:"|?*, NUL or control characters (e.g. replace "/" or ":" with "_")';

export interface PartitionKeyPosition {
  /** Position of the key in the list being validated, named in the error. */
  index?: number;
  /** Name of the dynamic partitions definition the key is meant for. */
  partitions?: string;
  /**
   * What the value is, named in the error (default "partition key"): ids that become
   * partition keys or directory names elsewhere (a cohort id, a gen_id) follow the same rule.
   */
  what?: string;
}

/**
 * Throws a PartitionError unless `key` is a valid partition key: a non-empty
 * string, at most 255 bytes of UTF-8, not ".", without leading or trailing
 * whitespace, "/", "\", "..", the characters Windows forbids in file names
 * (<>:"|?*), NUL, control characters or unpaired surrogates (which have no UTF-8
 * encoding). This is the one rule for every name that becomes
 * a partition key or a directory name: the CLI, the UI and the pipeline all call it.
 */
export function validatePartitionKey(key: unknown, where: PartitionKeyPosition = {}): asserts key is string {
  if (typeof key !== "string") {
    throw keyError(`is not a string (got ${key === null ? "null" : typeof key})`, key, where);
  }
  const problem = partitionKeyProblem(key);
  if (problem) throw keyError(problem, key, where);
}

/** Keys that pass every rule at a glance (gen ids, most ids): one regular expression instead of the full pass. */
const PLAIN_KEY = /^[0-9A-Za-z_-]{1,255}$/;

/** Why `key` is not a valid partition key, or undefined when it is one. */
function partitionKeyProblem(key: string): string | undefined {
  if (PLAIN_KEY.test(key)) return undefined;
  if (key.length === 0) return "is empty";
  // "." names the directory itself once the key becomes a path segment.
  if (key === ".") return 'is "." (the current directory)';
  const problem = findProblem(key);
  if (problem) return problem;
  // The CLI trims the keys it reads, so a key with surrounding whitespace could never be named again.
  if (key.trim() !== key) return key.trim() === "" ? "is blank" : "has leading or trailing whitespace";
  return undefined;
}

/** Validates every key before returning them as an array (nothing is written on failure). */
export function validatePartitionKeys(keys: Iterable<string>, partitions?: string): string[] {
  const list = Array.isArray(keys) ? (keys as string[]) : Array.from(keys);
  // A position only helps find a key in a list: a lone key is named by itself.
  if (list.length === 1) validatePartitionKey(list[0], { partitions });
  else
    for (let index = 0; index < list.length; index++)
      validatePartitionKey(list[index], { index, partitions });
  return list;
}

/** Characters Windows forbids in file names (a data directory must stay portable), by ASCII code. */
const WINDOWS_RESERVED = new Uint8Array(128);
for (const ch of '<>:"|?*') WINDOWS_RESERVED[ch.charCodeAt(0)] = 1;

/** One pass over the UTF-16 code units: forbidden characters and the UTF-8 byte length. */
function findProblem(key: string): string | undefined {
  let bytes = 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x80) {
      if (c < 0x20 || c === 0x7f) return `contains ${describeControl(c)}`;
      if (c === 0x2f) return 'contains "/"';
      if (c === 0x5c) return 'contains "\\"';
      if (c === 0x2e && key.charCodeAt(i + 1) === 0x2e) return 'contains ".."';
      if (WINDOWS_RESERVED[c] === 1) {
        return `contains ${JSON.stringify(key[i])} (not allowed in file names on Windows)`;
      }
      bytes += 1;
    } else if (c < 0x800) {
      if (c <= 0x9f) return `contains ${describeControl(c)}`;
      bytes += 2;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = key.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return "contains an unpaired surrogate (not valid Unicode)";
      bytes += 4;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return "contains an unpaired surrogate (not valid Unicode)";
    } else {
      bytes += 3;
    }
  }
  if (bytes > MAX_PARTITION_KEY_BYTES) {
    return `is ${bytes} bytes long in UTF-8 (at most ${MAX_PARTITION_KEY_BYTES} allowed)`;
  }
  return undefined;
}

function describeControl(code: number): string {
  const hex = code.toString(16).toUpperCase().padStart(4, "0");
  return code === 0 ? "NUL (U+0000)" : `control character U+${hex}`;
}

/** JSON-quoted, shortened for very long keys so the message stays readable. */
function quoteKey(key: string): string {
  return key.length > 80
    ? `${JSON.stringify(key.slice(0, 60))}... (${key.length} characters)`
    : JSON.stringify(key);
}

function keyError(problem: string, key: unknown, where: PartitionKeyPosition): PartitionError {
  const what = where.what ?? "partition key";
  const shown = typeof key === "string" ? `${what} ${quoteKey(key)}` : what;
  const at = where.index === undefined ? "" : ` at index ${where.index}`;
  const forDef = where.partitions === undefined ? "" : ` for partitions "${where.partitions}"`;
  return new PartitionError("invalid_partition_key", `${shown}${at}${forDef} ${problem}`, {
    context: {
      key: typeof key === "string" ? quoteKey(key) : undefined,
      index: where.index,
      partitions: where.partitions,
    },
    hint: KEY_RULES_HINT,
  });
}
