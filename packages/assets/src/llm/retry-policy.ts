/** When and how long to wait before retrying an LLM call. Pure functions, tested directly. */

export interface BackoffOptions {
  /** Delay before the 2nd attempt (before jitter), in ms. */
  baseDelayMs: number;
  /** Upper bound for any single wait, Retry-After included. */
  maxDelayMs: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

/** HTTP statuses worth retrying: request timeout, rate limit and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Milliseconds the server asked us to wait, from `retry-after-ms` or `Retry-After`
 * (delta-seconds or an HTTP date). Undefined when absent or unreadable.
 */
export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.ceil(Number(ms));
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Wait before attempt `failedAttempt + 1`: the server's Retry-After when given (never less,
 * plus up to 10% jitter so many callers do not return at the same instant), else exponential
 * backoff `base * 2^(n-1)` with equal jitter (between half and the full delay). Capped at maxDelayMs.
 */
export function retryDelayMs(
  failedAttempt: number,
  retryAfterMs: number | undefined,
  opts: BackoffOptions,
): number {
  const random = opts.random ?? Math.random;
  if (retryAfterMs !== undefined) {
    const wait = Math.min(retryAfterMs, opts.maxDelayMs);
    return Math.round(wait + random() * Math.min(wait * 0.1, 1000));
  }
  const exponential = Math.min(opts.baseDelayMs * 2 ** (failedAttempt - 1), opts.maxDelayMs);
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}
