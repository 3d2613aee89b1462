import { readdir, rm } from "node:fs/promises";
import path from "node:path";

// writeFileAtomic's temp names: `.<file>.<pid>.<random hex>.tmp`.
const TEMP_FILE = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Deletes temp files a killed writer left in a generation directory (a crash between
 * writing the temp file and renaming it). Files of live processes are left alone: the
 * claim on a step keeps other live processes out of this directory, but not out of
 * its sibling prompt/response step. Returns how many were removed.
 */
export async function removeStaleTempFiles(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
  let removed = 0;
  for (const name of names) {
    const m = TEMP_FILE.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    await rm(path.join(dir, name), { force: true });
    removed++;
  }
  return removed;
}
