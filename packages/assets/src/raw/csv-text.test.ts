import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { thrown } from "../../tests/helpers/thrown.ts";
import { CsvSyntaxError, formatCsvCell, formatCsvLine, parseCsv } from "./csv-text.ts";

function records(text: string): Array<{ fields: string[]; line: number }> {
  const out: Array<{ fields: string[]; line: number }> = [];
  parseCsv(text, (fields, line) => out.push({ fields, line }));
  return out;
}

describe("parseCsv", () => {
  const tricky = [
    "a,b,c\n1,2,3\n",
    'a,b\n"x, y","he said ""hi"""\n',
    'a,b\n"multi\nline",z\nnext,row',
    "a,b\r\n1,2\r\n3,4\r\n",
    "a,b\n1,\n,2\n",
    'a\n""\n"only"\n',
    "\ufeffa,b\n1,2\n",
  ];

  it.each(tricky)("reads the same records as csv-parse: %j", (text) => {
    const expected = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: false,
    }) as string[][];
    expect(records(text).map((r) => r.fields)).toEqual(expected);
  });

  it("reports the line each record starts on, counting newlines inside quotes", () => {
    expect(records('h\n"a\nb"\nc\n\nd').map((r) => r.line)).toEqual([1, 2, 4, 5, 6]);
  });

  it("yields a blank line as one empty field", () => {
    expect(records("a\n\nb\n").map((r) => r.fields)).toEqual([["a"], [""], ["b"]]);
  });

  it("rejects a quote that is never closed, naming the line it opened on", () => {
    expect(thrown(() => records('a,b\n1,2\n3,"open\nmore'), CsvSyntaxError).line).toBe(3);
  });

  it("rejects text after a closing quote", () => {
    expect(() => records('a\n"x"y\n')).toThrow(/after a closing quote/);
  });
});

describe("formatCsvLine", () => {
  it("quotes only cells holding a comma, quote, CR or LF, like csv-stringify", () => {
    expect(formatCsvCell("plain")).toBe("plain");
    expect(formatCsvCell("")).toBe("");
    expect(formatCsvCell("a,b")).toBe('"a,b"');
    expect(formatCsvCell('say "x"')).toBe('"say ""x"""');
    expect(formatCsvCell("two\nlines")).toBe('"two\nlines"');
  });

  it("round-trips through parseCsv", () => {
    const rows = [
      ["id", "text", ""],
      ["x", 'comma, "quote"', "line\r\nbreak"],
    ];
    const text = rows.map(formatCsvLine).join("");
    expect(records(text).map((r) => r.fields)).toEqual(rows);
  });
});
