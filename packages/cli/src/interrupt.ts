/**
 * Ctrl-C during a run: the first SIGINT (or SIGTERM) aborts the run gracefully
 * so that it is recorded as canceled and the summary is still printed; a
 * second one exits at once with 130.
 */
import { EXIT_INTERRUPTED } from "./errors.ts";

export interface SignalHandlers {
  /** The run is being canceled: say so. */
  onFirstSignal(signal: string): void;
  /** Called just before the process exits on a second signal (output must be synchronous). */
  onForcedExit(signal: string): void;
}

export function cancelOnSignals(controller: AbortController, handlers: SignalHandlers): () => void {
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      // a progress bar may have hidden the cursor and turned off line wrapping
      if (process.stderr.isTTY) process.stderr.write("\x1b[?25h\x1b[?7h\n");
      handlers.onForcedExit(signal);
      process.exit(EXIT_INTERRUPTED);
    }
    handlers.onFirstSignal(signal);
    controller.abort(new Error(`run canceled by ${signal}`));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
