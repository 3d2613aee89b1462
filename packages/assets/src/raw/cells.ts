import { NEVER, string } from "zod";

/**
 * zod schemas for single CSV cells (already trimmed; `undefined` when the column is
 * absent). Each failure carries a hint saying how to fix the cell, which
 * validateRecords puts into the error.
 */
type CellCheck<T> = { ok: true; value: T } | { ok: false; message: string; hint: string };

function cell<T>(check: (raw: string | undefined) => CellCheck<T>) {
  return string()
    .optional()
    .transform((raw, ctx) => {
      const result = check(raw);
      if (result.ok) return result.value;
      ctx.addIssue({ code: "custom", message: result.message, params: { hint: result.hint } });
      return NEVER;
    });
}

const TRUE_WORDS = new Set(["true", "1"]);
const FALSE_WORDS = new Set(["false", "0"]);

/** True/true/False/false/1/0 (any case); an empty cell or absent column gives `fallback`. */
export function booleanCell(fallback: boolean) {
  return cell<boolean>((raw) => {
    if (raw === undefined || raw === "") return { ok: true, value: fallback };
    const word = raw.toLowerCase();
    if (TRUE_WORDS.has(word)) return { ok: true, value: true };
    if (FALSE_WORDS.has(word)) return { ok: true, value: false };
    return {
      ok: false,
      message: `expected a boolean, got "${raw}"`,
      hint: "write True or False (true/false/1/0 are accepted too)",
    };
  });
}

/**
 * A required identifier. Ids end up in task ids, gen ids and file names, so path
 * separators, `..`, whitespace and control characters are refused.
 */
export function idCell(what: string) {
  return cell<string>((raw) => {
    if (raw === undefined || raw === "") {
      return { ok: false, message: `${what} is empty`, hint: `fill in the ${what}` };
    }
    const problem = idProblem(raw);
    if (problem) {
      return {
        ok: false,
        message: `${what} "${raw}" ${problem}`,
        hint: "use letters, digits, '-', '_' and single dots",
      };
    }
    return { ok: true, value: raw };
  });
}

function idProblem(id: string): string | undefined {
  if (/[/\\]/.test(id)) return "contains a path separator";
  if (id.includes("..") || id === ".") return "contains '..' or is '.'";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
  if (/[\u0000-\u001f\u007f-\u009f]/.test(id)) return "contains a control character";
  if (/\s/.test(id)) return "contains whitespace";
  return undefined;
}

/** Required free text (names, provider model ids). */
export function requiredTextCell(what: string) {
  return cell<string>((raw) =>
    raw === undefined || raw === ""
      ? { ok: false, message: `${what} is empty`, hint: `fill in the ${what}` }
      : { ok: true, value: raw },
  );
}

/** Optional free text; absent or empty gives "". */
export function textCell() {
  return cell<string>((raw) => ({ ok: true, value: raw ?? "" }));
}

/** One of a fixed set of words; empty or absent gives `fallback` when one is given. */
export function choiceCell<T extends string>(choices: readonly T[], fallback?: T) {
  return cell<T>((raw) => {
    if ((raw === undefined || raw === "") && fallback !== undefined) return { ok: true, value: fallback };
    if (raw !== undefined && (choices as readonly string[]).includes(raw))
      return { ok: true, value: raw as T };
    return {
      ok: false,
      message: raw
        ? `"${raw}" is not one of ${choices.join(", ")}`
        : `the value is empty (expected one of ${choices.join(", ")})`,
      hint: `write one of: ${choices.join(", ")}`,
    };
  });
}

/** A whole number >= 1. */
export function positiveIntCell(what: string) {
  return cell<number>((raw) => {
    if (raw !== undefined && /^[0-9]+$/.test(raw) && Number(raw) >= 1)
      return { ok: true, value: Number(raw) };
    return {
      ok: false,
      message: `${what} must be a whole number >= 1, got "${raw ?? ""}"`,
      hint: `write the ${what} as a number such as 2`,
    };
  });
}

/** A price in US dollars (a decimal >= 0); empty or absent means unknown (undefined), never 0. */
export function usdPriceCell(what: string) {
  return cell<number | undefined>((raw) => {
    if (raw === undefined || raw === "") return { ok: true, value: undefined };
    if (/^[0-9]+(\.[0-9]+)?$/.test(raw)) return { ok: true, value: Number(raw) };
    return {
      ok: false,
      message: `${what} must be a number of US dollars >= 0, got "${raw}"`,
      hint: `write the ${what} as a decimal such as 0.15, or leave it empty when unknown`,
    };
  });
}
