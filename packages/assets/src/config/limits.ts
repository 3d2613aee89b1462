/**
 * Size limits, read from the environment at use time (also settable under `env:` in
 * assets.yaml). They keep a stray file (a PDF saved as a template, a log pasted into a
 * concept description) from ending up in thousands of prompts and LLM bills.
 */
import { AssetsError } from "@daydream/core";

/** A limit variable that is not a positive whole number of bytes. */
export class LimitConfigError extends AssetsError {}

/** Largest template file or concept description file read (DD_MAX_INPUT_FILE_BYTES). */
export const DEFAULT_MAX_INPUT_FILE_BYTES = 1024 * 1024;
/** Largest rendered prompt a prompt step writes (DD_MAX_PROMPT_BYTES). */
export const DEFAULT_MAX_PROMPT_BYTES = 2 * 1024 * 1024;

export function maxInputFileBytes(env: NodeJS.ProcessEnv = process.env): number {
  return readLimit(env, "DD_MAX_INPUT_FILE_BYTES", DEFAULT_MAX_INPUT_FILE_BYTES);
}

export function maxPromptBytes(env: NodeJS.ProcessEnv = process.env): number {
  return readLimit(env, "DD_MAX_PROMPT_BYTES", DEFAULT_MAX_PROMPT_BYTES);
}

/** Bytes as a person reads them: `1,048,576 bytes (1.0 MiB)`. */
export function formatBytes(bytes: number): string {
  const exact = `${bytes.toLocaleString("en-US")} bytes`;
  return bytes < 1024 * 1024 ? exact : `${exact} (${(bytes / (1024 * 1024)).toFixed(1)} MiB)`;
}

function readLimit(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new LimitConfigError(
      "LIMIT_INVALID",
      `${name} must be a whole number of bytes >= 1, got ${JSON.stringify(raw)}`,
      {
        context: { variable: name },
        hint: `set ${name} to a number of bytes (e.g. ${fallback}), or unset it for the default`,
      },
    );
  }
  return n;
}
