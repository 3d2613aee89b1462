import { tempPathFor } from "../raw/atomic-file.ts";
import { defaultWriterPool, type WriterPool } from "./writer-pool.ts";

export interface FileContent {
  file: string;
  content: string;
}

/**
 * Write each file atomically, in the order given: a temp file in the same directory, then a
 * rename, so a reader (or a run resumed after a crash) sees the old file or the whole new one,
 * never a part; a file is written only once every file before it is in place. Directories are
 * created when missing. The system calls run on the writer pool's threads, off the event loop.
 */
export function writeFilesAtomic(
  files: readonly FileContent[],
  pool: WriterPool = defaultWriterPool,
): Promise<void> {
  return pool.write(files.map(({ file, content }) => ({ file, temp: tempPathFor(file), content })));
}

/** writeFilesAtomic for one file. */
export function writeFileAtomic(
  file: string,
  content: string,
  pool: WriterPool = defaultWriterPool,
): Promise<void> {
  return writeFilesAtomic([{ file, content }], pool);
}
