/** Raised by `abortableDelay` when its signal fires; callers translate it into their own error. */
export class DelayAbortedError extends Error {
  constructor() {
    super("wait aborted");
    this.name = "DelayAbortedError";
  }
}

/** Resolve after `ms`, or reject with DelayAbortedError as soon as `signal` aborts. */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new DelayAbortedError());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DelayAbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
