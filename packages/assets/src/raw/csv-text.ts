/**
 * RFC 4180 CSV text, parsed and formatted by hand: membership and task tables reach
 * hundreds of thousands of rows, where csv-parse/csv-stringify cost 3-5x more than
 * this (measured in bench/cohort.bench.ts). Formatting matches csv-stringify's
 * defaults: a cell is quoted only when it holds `,`, `"`, CR or LF.
 */

/** A syntax error at a 1-based line of the text. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly problem: string,
    readonly line: number,
  ) {
    super(`${problem} (line ${line})`);
    this.name = "CsvSyntaxError";
  }
}

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

function countLineBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) n++;
  }
  return n;
}

/**
 * Calls `onRecord(fields, line)` for every record, `line` being the 1-based line the
 * record starts on. A leading BOM is skipped; CRLF, LF and a lone CR end a record; an
 * empty line yields `[""]` (callers decide whether to skip it).
 */
export function parseCsv(text: string, onRecord: (fields: string[], line: number) => void): void {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < n) {
    const recordLine = line;
    const fields: string[] = [];
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        let value = "";
        let from = i + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q === -1) throw new CsvSyntaxError("a quoted field is never closed", recordLine);
          const chunk = text.slice(from, q);
          value += chunk;
          line += countLineBreaks(chunk);
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            from = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        fields.push(value);
        const after = text.charCodeAt(i);
        if (i < n && after !== COMMA && after !== LF && after !== CR) {
          throw new CsvSyntaxError(
            'unexpected text after a closing quote (write a quote inside a field as "")',
            line,
          );
        }
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === COMMA || c === LF || c === CR) break;
          j++;
        }
        fields.push(text.slice(i, j));
        i = j;
      }
      if (i >= n) break;
      const sep = text.charCodeAt(i);
      if (sep === COMMA) {
        i++;
        if (i >= n) {
          fields.push("");
          break;
        }
        continue;
      }
      i += sep === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      break;
    }
    onRecord(fields, recordLine);
  }
}

const NEEDS_QUOTES = /[",\r\n]/;

export function formatCsvCell(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One record followed by `\n`. */
export function formatCsvLine(fields: readonly string[]): string {
  let out = fields.length > 0 ? formatCsvCell(fields[0]) : "";
  for (let k = 1; k < fields.length; k++) out += `,${formatCsvCell(fields[k])}`;
  return `${out}\n`;
}

/** True when a record is one empty field: a blank line. */
export function isBlankRecord(fields: readonly string[]): boolean {
  return fields.length === 1 && fields[0] === "";
}
