import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { formatCsvLine } from "./csv-text.ts";

// A per-process counter from a random start keeps temp names unique without drawing random
// bytes for every write.
let tempCounter = randomBytes(4).readUInt32BE(0);

/**
 * A temp file beside `file`, so the final rename never crosses a filesystem. Named
 * `.<file>.<pid>.<hex>.tmp`: removeStaleTempFiles reads the writer's pid from it.
 */
export function tempPathFor(file: string): string {
  tempCounter = (tempCounter + 1) >>> 0;
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${tempCounter.toString(16)}.tmp`,
  );
}

/** Readers see the old content or the new one, never half a file. */
export function writeFileAtomicSync(file: string, data: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempPathFor(file);
  try {
    fs.writeFileSync(tmp, data, "utf8");
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

const BUFFER_BYTES = 1 << 18;
/** Code units of lines gathered before they are encoded (well under the buffer's size). */
const PENDING_UNITS = 16_384;
/** A UTF-16 code unit takes at most 3 bytes of UTF-8 (a surrogate pair, 4 for its 2 units). */
const MAX_UTF8_PER_UNIT = 3;

/**
 * Streams CSV records into a temp file and renames it over `file` on commit; abort (or
 * any failure) removes the temp file, so a failed build leaves the old file untouched.
 */
export class AtomicCsvWriter {
  private readonly tmp: string;
  private fd: number | undefined;
  /**
   * Lines are gathered into a short string and encoded into this buffer a batch at a time: one
   * encoding call per line cost more than the encoding itself at 80,000 lines, and one big
   * string for the whole file built a rope that writeSync had to flatten (most of the time of
   * a 13 MB task table).
   */
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private pending = "";
  rows = 0;

  constructor(
    readonly file: string,
    header: readonly string[],
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.tmp = tempPathFor(file);
    this.fd = fs.openSync(this.tmp, "w");
    this.append(formatCsvLine(header));
  }

  /** Appends a line already formatted by formatCsvLine. */
  writeLine(line: string): void {
    this.append(line);
    this.rows++;
  }

  writeRow(fields: readonly string[]): void {
    this.writeLine(formatCsvLine(fields));
  }

  commit(): void {
    this.commitIfChanged({ always: true });
  }

  /**
   * Replace the target only when the new content differs from it (so an unchanged file
   * keeps its mtime); `beforeReplace` runs while the old file is still in place.
   * Returns whether the file was replaced.
   */
  commitIfChanged(opts: { always?: boolean; beforeReplace?: () => void } = {}): boolean {
    try {
      this.flush();
      fs.closeSync(this.requireOpen());
      this.fd = undefined;
      if (!opts.always && sameContent(this.tmp, this.file)) {
        fs.rmSync(this.tmp, { force: true });
        return false;
      }
      opts.beforeReplace?.();
      fs.renameSync(this.tmp, this.file);
      return true;
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  abort(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
    fs.rmSync(this.tmp, { force: true });
  }

  private append(text: string): void {
    this.pending += text;
    if (this.pending.length >= PENDING_UNITS) this.encodePending();
  }

  private encodePending(): void {
    const text = this.pending;
    if (text === "") return;
    this.pending = "";
    const maxBytes = text.length * MAX_UTF8_PER_UNIT;
    if (this.used + maxBytes > BUFFER_BYTES) {
      this.writeBuffered();
      if (maxBytes > BUFFER_BYTES) {
        const bytes = Buffer.from(text, "utf8");
        writeAll(this.requireOpen(), bytes, bytes.length);
        return;
      }
    }
    this.used += this.buffer.write(text, this.used);
  }

  private flush(): void {
    this.encodePending();
    this.writeBuffered();
  }

  private writeBuffered(): void {
    if (this.used === 0) return;
    writeAll(this.requireOpen(), this.buffer, this.used);
    this.used = 0;
  }

  private requireOpen(): number {
    if (this.fd === undefined) throw new Error(`CSV writer for ${this.file} is already closed`);
    return this.fd;
  }
}

/** The first `length` bytes of `bytes`: writeSync may write fewer than asked, so go on until all are out. */
function writeAll(fd: number, bytes: Buffer, length: number): void {
  let written = 0;
  while (written < length) written += fs.writeSync(fd, bytes, written, length - written);
}

const COMPARE_CHUNK = 1 << 20;

/** Byte equality of two files, read in chunks (they can be hundreds of MB). */
export function sameContent(a: string, b: string): boolean {
  if (!fs.existsSync(b) || fs.statSync(a).size !== fs.statSync(b).size) return false;
  const fa = fs.openSync(a, "r");
  const fb = fs.openSync(b, "r");
  try {
    const ba = Buffer.allocUnsafe(COMPARE_CHUNK);
    const bb = Buffer.allocUnsafe(COMPARE_CHUNK);
    for (;;) {
      const na = fs.readSync(fa, ba, 0, COMPARE_CHUNK, null);
      const nb = fs.readSync(fb, bb, 0, COMPARE_CHUNK, null);
      if (na !== nb || ba.compare(bb, 0, nb, 0, na) !== 0) return false;
      if (na === 0) return true;
    }
  } finally {
    fs.closeSync(fa);
    fs.closeSync(fb);
  }
}

/**
 * Writes a whole CSV atomically (`rows` may be any iterable, consumed once); a file that
 * already holds exactly this content is left untouched. Returns whether it changed.
 */
export function writeCsvAtomic(
  file: string,
  header: readonly string[],
  rows: Iterable<readonly string[]>,
): boolean {
  const writer = new AtomicCsvWriter(file, header);
  try {
    for (const row of rows) writer.writeRow(row);
  } catch (err) {
    writer.abort();
    throw err;
  }
  return writer.commitIfChanged();
}
