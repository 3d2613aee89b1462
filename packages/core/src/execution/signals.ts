import os from "node:os";

/**
 * Aborts `controller` on SIGINT/SIGTERM so a running materialization stops gracefully
 * (running steps see the abort, pending steps do not start, the run ends `canceled`).
 * A second signal exits at once. Returns a function that removes the handlers.
 */
export function cancelOnSignals(
  controller: AbortController,
  signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"],
): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(128 + os.constants.signals[signal]);
    controller.abort(new Error(`received ${signal}`));
  };
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
