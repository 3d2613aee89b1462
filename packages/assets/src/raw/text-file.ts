/**
 * Reading hand-written text inputs strictly: invalid UTF-8 is an error naming the file and
 * the byte offset (a lenient decode would put U+FFFD into every prompt built from the file,
 * silently), and template and concept description files have a size limit.
 */
import fs from "node:fs";
import { formatBytes, maxInputFileBytes } from "../config/limits.ts";
import { RawInputError } from "./errors.ts";

// ignoreBOM keeps a byte order mark in the text, as Node's "utf8" decoding and Python's
// "utf-8" codec do; the CSV parser skips it.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** UTF-8 text of `bytes` read from `file`; invalid UTF-8 fails naming the file, line and byte offset. */
export function decodeUtf8(file: string, bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch (err) {
    // TextDecoder reports invalid input as a TypeError without saying where it is.
    if (!(err instanceof TypeError)) throw err;
    const offset = firstInvalidUtf8Offset(bytes);
    // Both follow the same standard; should they ever disagree, the decoder's error stands.
    if (offset < 0) throw err;
    const byte = bytes[offset].toString(16).toUpperCase().padStart(2, "0");
    throw new RawInputError(
      { file, line: lineAt(bytes, offset), byteOffset: offset },
      `not valid UTF-8: invalid byte sequence starting with 0x${byte}`,
      "save the file as UTF-8 (most editors offer it under 'Save with encoding'), or retype the character at that position",
      { code: "RAW_FILE_NOT_UTF8", cause: err },
    );
  }
}

/**
 * A template or concept description file: strict UTF-8, at most DD_MAX_INPUT_FILE_BYTES.
 * Undefined when the file does not exist (callers say what a missing file means for them).
 */
export function readLimitedInputFile(file: string, what: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw unreadable(file, what, err);
  }
  try {
    // The size is checked before reading, so an oversized file is never loaded into memory.
    const size = fs.fstatSync(fd).size;
    const limit = maxInputFileBytes();
    if (size > limit) {
      throw new RawInputError(
        { file },
        `the ${what} is ${formatBytes(size)}, over the limit of ${formatBytes(limit)}`,
        `shorten it; if it is meant to be this long, raise DD_MAX_INPUT_FILE_BYTES (in the shell or under env: in assets.yaml)`,
        { code: "RAW_FILE_TOO_LARGE" },
      );
    }
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(fd);
    } catch (err) {
      throw unreadable(file, what, err);
    }
    return decodeUtf8(file, bytes);
  } finally {
    fs.closeSync(fd);
  }
}

function unreadable(file: string, what: string, err: unknown): RawInputError {
  const code = (err as NodeJS.ErrnoException).code ?? String(err);
  return new RawInputError(
    { file },
    `cannot read the ${what} (${code})`,
    code === "EISDIR" ? "replace the directory with a text file" : "check its permissions",
    { code: "RAW_FILE_UNREADABLE", cause: err },
  );
}

/**
 * Offset of the first byte that does not begin a well-formed UTF-8 sequence (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF); -1 when all of `bytes` is valid.
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i];
    if (lead < 0x80) {
      i++;
      continue;
    }
    let trailing: number;
    // The allowed range of the second byte narrows for some lead bytes (overlongs, surrogates, > U+10FFFF).
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) trailing = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      trailing = 2;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      trailing = 3;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k <= trailing; k++) {
      const b = bytes[i + k];
      if (b === undefined) return i;
      if (k === 1 ? b < low || b > high : b < 0x80 || b > 0xbf) return i;
    }
    i += trailing + 1;
  }
  return -1;
}

/** 1-based line of a byte offset, counting LF, CRLF and a lone CR as line breaks (universal newlines). */
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) {
    const b = bytes[i];
    if (b === 0x0a || (b === 0x0d && bytes[i + 1] !== 0x0a)) line++;
  }
  return line;
}
