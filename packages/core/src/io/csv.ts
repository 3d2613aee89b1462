import type { IOManager } from "../definitions/types.ts";
import { type FileIOManagerOptions, fileIOManager } from "./file-io-manager.ts";

function isRow(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function cell(value: unknown, row: number, column: string): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (value instanceof Date) return value.toISOString();
  const kind = Array.isArray(value)
    ? "an array"
    : typeof value === "object"
      ? "an object"
      : `a ${typeof value}`;
  throw new Error(`row ${row}, column "${column}": ${kind} cannot be a CSV cell`);
}

/** Rows -> CSV text; the header is the key order of the first row. */
export async function encodeRows(value: unknown): Promise<string> {
  if (!Array.isArray(value)) throw new Error("expected an array of row objects");
  if (value.length === 0) return "";
  const first = value[0];
  if (!isRow(first)) throw new Error("row 0 is not an object");
  const columns = Object.keys(first);
  if (columns.length === 0) throw new Error("row 0 has no columns");
  const known = new Set(columns);
  const records = value.map((row: unknown, i) => {
    if (!isRow(row)) throw new Error(`row ${i} is not an object`);
    for (const key of Object.keys(row)) {
      // Dropping a column silently would lose data: every row must fit the first row's header.
      if (!known.has(key)) throw new Error(`row ${i} has column "${key}" that row 0 lacks`);
    }
    return columns.map((column) => cell(row[column], i, column));
  });
  // Imported on first use so that loading definitions does not pay for the CSV libraries.
  const { stringify } = await import("csv-stringify/sync");
  return stringify(records, { header: true, columns });
}

/** CSV text -> rows keyed by header; every value is a string. */
export async function decodeRows(text: string): Promise<Record<string, string>[]> {
  if (text === "") return [];
  const { parse } = await import("csv-parse/sync");
  return parse(text, { columns: true, bom: true }) as Record<string, string>[];
}

/** Stores an array of row objects as a `.csv` file (header from the first row's keys). */
export function csvIOManager(opts: FileIOManagerOptions): IOManager {
  return fileIOManager(opts, { name: "csv", ext: "csv", encode: encodeRows, decode: decodeRows });
}
