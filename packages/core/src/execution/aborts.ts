/** Names of the errors that report aborted work: DOM/Node `AbortError`, the OpenAI SDK's user abort. */
const ABORT_ERROR_NAMES: ReadonlySet<string> = new Set(["AbortError", "APIUserAbortError"]);
/** Error codes that report aborted work, e.g. Node's "ABORT_ERR" or an AssetsError coded "LLM_ABORTED". */
const ABORT_CODE = /(^|_)(ABORT_ERR|ABORTED)$/;
/** Causes followed at most: a cause chain is short, and must not loop forever when it is cyclic. */
const MAX_CAUSES = 10;

function reportsAbort(err: object, signal: AbortSignal): boolean {
  if (err === signal.reason) return true;
  const { name, code } = err as { name?: unknown; code?: unknown };
  return (
    (typeof name === "string" && ABORT_ERROR_NAMES.has(name)) ||
    (typeof code === "string" && ABORT_CODE.test(code))
  );
}

/**
 * Whether a step's error means "stopped because the run's signal aborted": the signal's own
 * reason (`signal.throwIfAborted()`), an AbortError, or an error coded `..._ABORTED`, found
 * as the error or anywhere in its `cause` chain (wrapping keeps the abort visible). Anything
 * else thrown after the signal aborted is a real failure.
 */
export function isAbortFrom(err: unknown, signal: AbortSignal): boolean {
  if (!signal.aborted) return false;
  let current: unknown = err;
  for (let depth = 0; depth < MAX_CAUSES && typeof current === "object" && current !== null; depth++) {
    if (reportsAbort(current, signal)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
