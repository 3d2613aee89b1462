import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

// Temp names are `.<file>.<pid>.<hex>.tmp` (staleTempFiles.ts relies on it). A per-process
// counter from a random start keeps them unique without drawing random bytes for every write.
let tempCounter = randomBytes(4).readUInt32BE(0);

function tempPathFor(file: string): string {
  tempCounter = (tempCounter + 1) >>> 0;
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${tempCounter.toString(16)}.tmp`,
  );
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === "ENOENT";
}

/**
 * Write `content` to `file` atomically: a temp file in the same directory, then rename, so a
 * reader (or a run resumed after a crash) sees the old file or the whole new one, never a part.
 * The directory is created only when the first write finds it missing, not probed every time.
 * Synchronous: a run writes thousands of small files, and four thread-pool round trips per file
 * (open, write, close, rename) cost the event loop more than the system calls themselves.
 */
export function writeFileAtomicSync(file: string, content: string): void {
  const temp = tempPathFor(file);
  try {
    try {
      fs.writeFileSync(temp, content, "utf8");
    } catch (err) {
      if (!isMissing(err)) throw err;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(temp, content, "utf8");
    }
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}

/** writeFileAtomicSync behind the promise-returning API of the store: failures become rejections. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  writeFileAtomicSync(file, content);
}
