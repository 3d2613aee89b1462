/**
 * Plain aligned text tables for human output. Colour codes are ignored when
 * measuring widths so that coloured cells still line up.
 */
import type { Painter } from "./colors.ts";

// built from a string: a control character in a regex literal reads as a mistake
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

export function visibleWidth(s: string): number {
  return s.replace(ANSI, "").length;
}

/** Renders rows under a header; the last column is never padded. */
export function renderTable(header: string[], rows: string[][], p: Painter): string {
  const widths = header.map((h, i) =>
    Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ""))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + " ".repeat(widths[i] - visibleWidth(cell))))
      .join("  ")
      .trimEnd();
  return [p.bold(line(header)), ...rows.map(line)].join("\n") + "\n";
}
