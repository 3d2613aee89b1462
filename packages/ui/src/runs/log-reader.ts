/** Reads a run's JSON-lines log from a byte offset, whole lines only, a bounded chunk at a time. */
import { closeSync, openSync, readSync, statSync } from "node:fs";

const MAX_CHUNK_BYTES = 256 * 1024;

export interface LogChunk {
  /** Complete lines (JSON text as written by pino). */
  lines: string[];
  offset: number;
  /** Offset to ask for next time. */
  nextOffset: number;
  /** Size of the log file now; 0 when it does not exist yet. */
  size: number;
}

/** The last whole lines within `tailBytes` of the end of the log (where a page starts showing a long log). */
export function readLogTail(file: string, tailBytes: number): LogChunk {
  const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  if (size <= tailBytes) return readLogChunk(file, 0);
  const chunk = readLogChunk(file, size - tailBytes);
  // The chunk starts mid-line: drop that partial first line.
  return { ...chunk, lines: chunk.lines.slice(1) };
}

export function readLogChunk(file: string, offset: number): LogChunk {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat === undefined || offset >= stat.size) {
    return { lines: [], offset, nextOffset: offset, size: stat?.size ?? 0 };
  }
  const length = Math.min(stat.size - offset, MAX_CHUNK_BYTES);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buffer, 0, length, offset);
  } finally {
    closeSync(fd);
  }
  // Stop at the last newline: a line still being written is read next time.
  let end = buffer.lastIndexOf(0x0a);
  if (end === -1) {
    if (length < MAX_CHUNK_BYTES) return { lines: [], offset, nextOffset: offset, size: stat.size };
    end = length - 1; // a single line longer than a chunk: hand it over in pieces
  }
  const text = buffer.subarray(0, end + 1).toString("utf8");
  const lines = text.split("\n").filter((line) => line.length > 0);
  return { lines, offset, nextOffset: offset + end + 1, size: stat.size };
}
