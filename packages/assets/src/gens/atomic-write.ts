import { tempPathFor } from "../raw/atomic-file.ts";
import { defaultWriterPool, type WriterPool } from "./writer-pool.ts";

/**
 * Write `content` to `file` atomically: a temp file in the same directory, then rename, so a
 * reader (or a run resumed after a crash) sees the old file or the whole new one, never a part.
 * The directory is created when missing. The system calls run on the writer pool's threads,
 * off the event loop.
 */
export function writeFileAtomic(
  file: string,
  content: string,
  pool: WriterPool = defaultWriterPool,
): Promise<void> {
  return pool.write(file, tempPathFor(file), content);
}
