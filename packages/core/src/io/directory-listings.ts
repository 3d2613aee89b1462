import { readdir, stat } from "node:fs/promises";

/**
 * A listing is kept only when the directory's last change is older than this when it is taken:
 * a change in the same timestamp tick as the kept modification time would not move it (coarse
 * file systems count in seconds; git calls such entries "racily clean"), and a file server's
 * clock may run a little ahead of ours.
 */
const SETTLED_MS = 5_000;

/**
 * The file names in directories that end in a suffix (without it), listed again only when a
 * directory's modification time moved: adding, removing or renaming an entry moves it. A
 * process that asks often (the UI) lists a settled directory of 100,000 files once.
 */
export class DirectoryListings {
  private readonly kept = new Map<string, { mtimeMs: number; names: ReadonlySet<string> }>();

  /** The names; empty when the directory does not exist. Shared between calls: do not change it. */
  async list(dir: string, suffix: string): Promise<ReadonlySet<string>> {
    const key = `${dir}\u0000${suffix}`;
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(dir)).mtimeMs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      this.kept.delete(key);
      return new Set();
    }
    const kept = this.kept.get(key);
    if (kept !== undefined && kept.mtimeMs === mtimeMs) return kept.names;
    const listedAt = Date.now();
    const names = new Set<string>();
    try {
      // Asynchronous: 100,000 entries take tens of milliseconds, spent off the event loop.
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (entry.isFile() && entry.name.endsWith(suffix)) names.add(entry.name.slice(0, -suffix.length));
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    // A change between the stat and the listing leaves newer names under an older time: the
    // next call sees the time moved and lists again.
    if (listedAt - mtimeMs > SETTLED_MS) this.kept.set(key, { mtimeMs, names });
    else this.kept.delete(key);
    return names;
  }
}
