import fs from "node:fs";
import type { output, ZodType } from "zod";
import { CsvSyntaxError, isBlankRecord, parseCsv } from "./csv-text.ts";
import { RawInputError } from "./errors.ts";
import { decodeUtf8 } from "./text-file.ts";

/** One data record of a raw CSV: cells by column name (trimmed), with its position. */
export interface RawRecord {
  cells: Record<string, string>;
  /** 1-based data row (header and blank lines not counted). */
  row: number;
  /** 1-based line the record starts on. */
  line: number;
}

export interface RawTable {
  file: string;
  columns: string[];
  records: RawRecord[];
}

/** Read a text file as strict UTF-8, or fail naming it with how to create it. */
export function readRawText(file: string, whatFor: string): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new RawInputError({ file }, "file not found", `create it: ${whatFor}`, {
        code: "RAW_FILE_MISSING",
        cause: err,
      });
    }
    throw new RawInputError(
      { file },
      `cannot read the file (${code ?? String(err)})`,
      "check its permissions",
      {
        cause: err,
      },
    );
  }
  return decodeUtf8(file, bytes);
}

/**
 * Parse a hand-edited CSV: cells are trimmed, blank lines skipped, a short record's
 * missing trailing cells count as empty, a record longer than the header is an error.
 */
export function parseRawTable(file: string, text: string, required: readonly string[]): RawTable {
  let columns: string[] | undefined;
  const records: RawRecord[] = [];
  try {
    parseCsv(text, (fields, line) => {
      if (isBlankRecord(fields)) return;
      if (columns === undefined) {
        columns = fields.map((f) => f.trim());
        checkHeader(file, columns, required, line);
        return;
      }
      if (fields.length > columns.length) {
        throw new RawInputError(
          { file, row: records.length + 1, line },
          `${fields.length} cells but the header has ${columns.length} columns`,
          'remove the extra cells, or quote a value that contains a comma ("a, b")',
        );
      }
      const cells: Record<string, string> = {};
      for (let k = 0; k < columns.length; k++) cells[columns[k]] = (fields[k] ?? "").trim();
      records.push({ cells, row: records.length + 1, line });
    });
  } catch (err) {
    if (err instanceof CsvSyntaxError) {
      throw new RawInputError({ file, line: err.line }, err.problem, "fix the quoting on that line", {
        cause: err,
      });
    }
    throw err;
  }
  if (columns === undefined) {
    throw new RawInputError(
      { file, line: 1 },
      "the file is empty (no header line)",
      `start it with the header: ${required.join(",")}`,
    );
  }
  return { file, columns, records };
}

function checkHeader(file: string, columns: string[], required: readonly string[], line: number): void {
  const seen = new Set<string>();
  for (const column of columns) {
    if (column === "") {
      throw new RawInputError(
        { file, line },
        "the header has an empty column name",
        "name every column or remove the stray comma",
      );
    }
    if (seen.has(column)) {
      throw new RawInputError(
        { file, line, column },
        "the header names this column twice",
        "keep one column of that name",
      );
    }
    seen.add(column);
  }
  for (const column of required) {
    if (!seen.has(column)) {
      throw new RawInputError(
        { file, line, column },
        "required column is missing from the header",
        `add a "${column}" column (required: ${required.join(", ")})`,
      );
    }
  }
}

/** Hint attached to a zod issue raised by the cell schemas in cells.ts. */
interface IssueWithHint {
  path: PropertyKey[];
  message: string;
  params?: { hint?: string };
}

/** Validate every record with a zod object schema; the first bad cell fails with its row and column. */
export function validateRecords<S extends ZodType>(
  table: RawTable,
  schema: S,
): Array<output<S> & { row: number; line: number }> {
  return table.records.map((record) => {
    const parsed = schema.safeParse(record.cells);
    if (!parsed.success) {
      const issue = parsed.error.issues[0] as unknown as IssueWithHint;
      const column = issue.path.length > 0 ? String(issue.path[0]) : undefined;
      throw new RawInputError(
        { file: table.file, row: record.row, line: record.line, column },
        issue.message,
        issue.params?.hint ?? `fix the value${column ? ` of "${column}"` : ""} in that row`,
      );
    }
    return { ...(parsed.data as object), row: record.row, line: record.line } as output<S> & {
      row: number;
      line: number;
    };
  });
}

/** Read, parse and validate a raw CSV table in one go. */
export function readValidatedTable<S extends ZodType>(
  file: string,
  required: readonly string[],
  schema: S,
  whatFor: string,
): Array<output<S> & { row: number; line: number }> {
  return validateRecords(parseRawTable(file, readRawText(file, whatFor), required), schema);
}

/** Fail on the second row that repeats a key (ids must be unique in a table). */
export function assertUniqueKey<T extends { row: number; line: number }>(
  file: string,
  rows: T[],
  column: string,
  key: (r: T) => string,
): void {
  const first = new Map<string, T>();
  for (const r of rows) {
    const k = key(r);
    const earlier = first.get(k);
    if (earlier) {
      throw new RawInputError(
        { file, row: r.row, line: r.line, column },
        `duplicate ${column} "${k}" (first defined in data row ${earlier.row}, line ${earlier.line})`,
        `give each row a unique ${column}, or delete one of the two rows`,
      );
    }
    first.set(k, r);
  }
}
