import fs from "node:fs";
import path from "node:path";

/**
 * Values derived from files, each kept while its file's inode, size and mtime are unchanged:
 * thousands of partitions of one run then share one parse, and an edited file is read again.
 */
export class FileCache<T> {
  readonly #entries = new Map<string, { signature: string; value: T }>();

  /** The value for `file`, from `load` when not cached; a missing file is left to `load` to report. */
  get(file: string, load: () => T): T {
    const abs = path.resolve(file);
    const st = fs.statSync(abs, { bigint: true, throwIfNoEntry: false });
    if (!st) return load();
    const signature = `${st.ino}:${st.size}:${st.mtimeNs}`;
    const hit = this.#entries.get(abs);
    if (hit && hit.signature === signature) return hit.value;
    const value = load();
    this.#entries.set(abs, { signature, value });
    return value;
  }

  clear(): void {
    this.#entries.clear();
  }
}
