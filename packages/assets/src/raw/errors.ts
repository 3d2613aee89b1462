import { AssetsError } from "@daydream/core";
import { displayPath } from "../config/data-root.ts";

export interface RawLocation {
  file: string;
  /** 1-based data row (the header is not counted; blank lines are skipped). */
  row?: number;
  /** 1-based line in the file where the record starts. */
  line?: number;
  column?: string;
  /** 0-based byte offset in the file (encoding errors). */
  byteOffset?: number;
}

/** Where in a file a problem is, e.g. `data/1_raw/llm_models.csv, data row 3 (line 4), column "for_generation"`. */
export function describeLocation(loc: RawLocation): string {
  const parts = [displayPath(loc.file)];
  if (loc.row !== undefined)
    parts.push(`data row ${loc.row}${loc.line !== undefined ? ` (line ${loc.line})` : ""}`);
  else if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.column !== undefined) parts.push(`column "${loc.column}"`);
  if (loc.byteOffset !== undefined) parts.push(`byte offset ${loc.byteOffset}`);
  return parts.join(", ");
}

/** A raw input file (CSV, description, template, selection list) is missing or malformed. */
export class RawInputError extends AssetsError {
  constructor(
    loc: RawLocation,
    problem: string,
    hint: string,
    opts: { code?: string; cause?: unknown } = {},
  ) {
    super(opts.code ?? "RAW_INPUT_INVALID", `${describeLocation(loc)}: ${problem}`, {
      context: {
        file: displayPath(loc.file),
        row: loc.row,
        line: loc.line,
        column: loc.column,
        byte_offset: loc.byteOffset,
      },
      hint,
      cause: opts.cause,
    });
  }
}
