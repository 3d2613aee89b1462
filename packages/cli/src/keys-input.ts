/** Partition keys typed by the user: a comma-separated flag value or a file with one key per line. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "./errors.ts";

/** "a,b , c" -> ["a", "b", "c"]; an empty element is a mistake, not something to skip. */
export function parseKeyList(value: string, flag: string): string[] {
  const keys = value.split(",").map((k) => k.trim());
  const emptyAt = keys.indexOf("");
  if (emptyAt !== -1) {
    throw new UsageError(`${flag} has an empty key at position ${emptyAt + 1}`, {
      context: { value },
      hint: `separate keys with single commas, e.g. ${flag} k1,k2`,
    });
  }
  return keys;
}

/** Reads one key per line from FILE (or stdin for "-"); blank lines are ignored. */
export function readKeysFile(file: string, flag: string): string[] {
  let text: string;
  try {
    text = file === "-" ? readFileSync(0, "utf8") : readFileSync(path.resolve(file), "utf8");
  } catch (cause) {
    throw new UsageError(`cannot read ${flag} ${file}: ${(cause as Error).message}`, {
      context: { file },
      hint: `give a readable file with one key per line, or "-" to read from stdin`,
      cause,
    });
  }
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}
