/**
 * Python text semantics the original pipeline relied on, so that parsers and ids
 * behave byte-for-byte like the Python implementation.
 */

/**
 * Characters for which Python's `str.isspace()` (and `re`'s `\s` on str patterns) is true,
 * as the body of a regex character class. Unlike JavaScript's `\s` it includes the
 * information separators U+001C..U+001F and NEL (U+0085), and excludes U+FEFF.
 */
export const PY_WHITESPACE_CLASS =
  "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/** Python's `\d` on str patterns: any Unicode decimal digit (category Nd). Needs the `u` flag. */
export const PY_DIGIT = "\\p{Nd}";

const WHITESPACE_CHAR = new RegExp(`[${PY_WHITESPACE_CLASS}]`);
const DECIMAL_DIGIT = /\p{Nd}/u;
const DECIMAL_DIGITS = /\p{Nd}/gu;

/** Python's `str.strip()` with no argument. */
export function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPyWhitespace(text[start])) start++;
  while (end > start && isPyWhitespace(text[end - 1])) end--;
  return text.slice(start, end);
}

/** Python's `ch.isspace()` for one UTF-16 code unit (all such characters are in the BMP). */
export function isPyWhitespace(ch: string): boolean {
  return WHITESPACE_CHAR.test(ch);
}

/**
 * Value 0-9 of a Unicode decimal digit. Unicode assigns Nd characters only in
 * contiguous runs of complete 0..9 sequences, so the offset from the start of the
 * run, modulo 10, is the digit's value (what Python's `int()`/`float()` use).
 */
function decimalValue(digit: string): number {
  const cp = digit.codePointAt(0)!;
  let start = cp;
  while (start > 0 && DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/** Replaces every Unicode decimal digit with its ASCII digit, as Python's number parsing does. */
export function decimalDigitsToAscii(text: string): string {
  return text.replace(DECIMAL_DIGITS, (d) => (d >= "0" && d <= "9" ? d : String(decimalValue(d))));
}

/** Python's `float(s)` for a numeral matched by `-?\d+(?:\.\d+)?` (any decimal digits). */
export function pyFloat(numeral: string): number {
  return Number(decimalDigitsToAscii(numeral));
}

/**
 * Python's `repr(float)`: shortest round-trip digits (same as JavaScript), but
 * scientific notation when the exponent is < -4 or >= 16, written `1e-05`/`1e+16`,
 * and a `.0` on integral values.
 */
export function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const [mantissa, expText] = value.toExponential().split("e");
  const exponent = Number(expText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    const frac = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expSign = exponent < 0 ? "-" : "+";
    return `${sign}${frac}e${expSign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const intLen = exponent + 1;
  if (digits.length <= intLen) return `${sign}${digits.padEnd(intLen, "0")}.0`;
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}
