import fs from "node:fs";
import path from "node:path";
import { isProcessRunning } from "@daydream/core";

// writeFileAtomic's temp names: `.<file>.<pid>.<random hex>.tmp`.
const TEMP_FILE = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/;

/**
 * Deletes temp files a killed writer left in a generation directory (a crash between
 * writing the temp file and renaming it). Files of live processes are left alone: the
 * claim on a step keeps other live processes out of this directory, but not out of
 * its sibling prompt/response step. Synchronous: one small readdir per step is cheaper
 * on the event loop than a thread-pool round trip. Returns how many were removed.
 */
export function removeStaleTempFiles(dir: string): number {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
  let removed = 0;
  for (const name of names) {
    const m = TEMP_FILE.exec(name);
    if (!m || isProcessRunning(Number(m[1]))) continue;
    fs.rmSync(path.join(dir, name), { force: true });
    removed++;
  }
  return removed;
}
