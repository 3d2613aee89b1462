/**
 * Ctrl-C during a run: the first SIGINT (or SIGTERM) aborts the run gracefully
 * so that it is recorded as canceled and the summary is still printed; a
 * second one exits at once with 130.
 */
import { EXIT_INTERRUPTED } from "./errors.ts";

export function cancelOnSignals(
  controller: AbortController,
  onFirstSignal: (signal: string) => void,
): () => void {
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      // a progress bar may have hidden the cursor and turned off line wrapping
      if (process.stderr.isTTY) process.stderr.write("\x1b[?25h\x1b[?7h\n");
      process.exit(EXIT_INTERRUPTED);
    }
    onFirstSignal(signal);
    controller.abort(new Error(`run canceled by ${signal}`));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
