import type { RetryPolicy } from "../definitions/types.ts";
import { isRetryable } from "../errors.ts";

const DEFAULT_DELAY_MS = 1000;
const DEFAULT_BACKOFF = 2;

/** Delay before attempt `attempt + 1`, after `attempt` failed: delayMs * backoff^(attempt-1). */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  return (policy.delayMs ?? DEFAULT_DELAY_MS) * (policy.backoff ?? DEFAULT_BACKOFF) ** (attempt - 1);
}

/** Resolves after `ms`, or early (false) when the signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

export interface RetryHooks {
  /** Called before waiting for the next attempt. */
  onRetry(err: unknown, failedAttempt: number, delayMs: number): void;
}

/**
 * Runs `attempt(n)` until it succeeds, the error is not retryable, the policy's attempts
 * are used up, or the run is cancelled; the last error is rethrown (the signal's reason
 * when the cancel came during the wait before a retry).
 */
export async function withRetries<T>(
  policy: RetryPolicy | undefined,
  signal: AbortSignal,
  attempt: (n: number) => Promise<T>,
  hooks: RetryHooks,
): Promise<T> {
  const maxAttempts = policy?.maxAttempts ?? 1;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!policy || n >= maxAttempts || !isRetryable(err) || signal.aborted) throw err;
      const delay = retryDelayMs(policy, n);
      hooks.onRetry(err, n, delay);
      // Canceled while waiting: the abort ended the step, not the error the next attempt would retry.
      if (!(await pause(delay, signal))) throw signal.reason;
    }
  }
}
