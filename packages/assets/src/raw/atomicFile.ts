import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { formatCsvLine } from "./csvText.ts";

/** A temp file beside `file`, so the final rename never crosses a filesystem. */
function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
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

const FLUSH_CHARS = 1 << 20;

/**
 * Streams CSV records into a temp file and renames it over `file` on commit; abort (or
 * any failure) removes the temp file, so a failed build leaves the old file untouched.
 */
export class AtomicCsvWriter {
  private readonly tmp: string;
  private fd: number | undefined;
  private buffer = "";
  rows = 0;

  constructor(
    readonly file: string,
    header: readonly string[],
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.tmp = tempPathFor(file);
    this.fd = fs.openSync(this.tmp, "w");
    this.buffer = formatCsvLine(header);
  }

  /** Appends a line already formatted by formatCsvLine. */
  writeLine(line: string): void {
    this.buffer += line;
    this.rows++;
    if (this.buffer.length >= FLUSH_CHARS) this.flush();
  }

  writeRow(fields: readonly string[]): void {
    this.writeLine(formatCsvLine(fields));
  }

  commit(): void {
    try {
      this.flush();
      fs.closeSync(this.requireOpen());
      this.fd = undefined;
      fs.renameSync(this.tmp, this.file);
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

  private flush(): void {
    if (this.buffer.length === 0) return;
    fs.writeSync(this.requireOpen(), this.buffer);
    this.buffer = "";
  }

  private requireOpen(): number {
    if (this.fd === undefined) throw new Error(`CSV writer for ${this.file} is already closed`);
    return this.fd;
  }
}

/** Writes a whole CSV atomically; `rows` may be any iterable, consumed once. */
export function writeCsvAtomic(file: string, header: readonly string[], rows: Iterable<readonly string[]>): number {
  const writer = new AtomicCsvWriter(file, header);
  try {
    for (const row of rows) writer.writeRow(row);
  } catch (err) {
    writer.abort();
    throw err;
  }
  writer.commit();
  return writer.rows;
}
