/**
 * The score regexes of the original Python parser, translated with Python's
 * notion of whitespace (`\s`), digits (`\d` = any Unicode decimal digit) and
 * IGNORECASE (under which `i` also matches `İ` and `ı`; JavaScript's `iu` does not).
 */
import { PY_DIGIT, PY_WHITESPACE_CLASS } from "./python-compat.ts";

const WS = `[${PY_WHITESPACE_CLASS}]`;
const HEADER = `(?:F[iİı]nal${WS}+|Total${WS}+)?(?:SCORE|Score)`;
const SEPARATOR = `(?::${WS}*|${WS}+)`;
const GAP = `[\\n\\r${PY_WHITESPACE_CLASS}]*`;
const NUMBER = `-?${PY_DIGIT}+(?:\\.${PY_DIGIT}+)?`;

function afterHeader(value: string): string {
  return `${HEADER}${SEPARATOR}${GAP}${value}`;
}

/** A whole line that is `SCORE: d` or `SCORE: d.ddd` with a single ASCII digit before the point. */
export const EXACT_SCORE_LINE = new RegExp(`^${WS}*SCORE:${WS}*[0-9](\\.[0-9]+)?${WS}*$`, "iu");
/** The number after `SCORE:`. */
export const EXACT_SCORE = new RegExp(`SCORE:${WS}*(${NUMBER})`, "iu");
/** `Score: 4 5 6` / `Score: 4,5,6` / `Score: 456`: three digits, read as their mean. */
export const THREE_DIGIT_SCORE = new RegExp(
  afterHeader(`(${PY_DIGIT}(,?${WS}?)${PY_DIGIT}(,?${WS}?)${PY_DIGIT})`),
  "iu",
);
/** `Score: 8.5` followed by whitespace or the end of the text. */
export const PLAIN_SCORE = new RegExp(afterHeader(`(${NUMBER})(?:${WS}|$)`), "iu");
/** All `Score: a/b` fractions. */
export const FRACTION_SCORES = new RegExp(afterHeader(`(${NUMBER})/(${NUMBER})`), "giu");
/** All `Score: 8.5` plain scores. */
export const PLAIN_SCORES = new RegExp(afterHeader(`(${NUMBER})(?:${WS}|$)`), "giu");
