import type { LevelWithSilent, Logger } from "pino";

export interface RunLog {
  /** Run-level logger; step loggers are children tagged with asset and partition. */
  readonly logger: Logger;
  forStep(assetKey: string, partitionKey: string | undefined): Logger;
  /** Flushes buffered lines and closes the file. */
  close(): Promise<void>;
}

const FLUSH_INTERVAL_MS = 1000;

/** Structured JSON-lines log of one run; every line carries run_id, asset and partition. */
export async function openRunLog(
  file: string,
  runId: string,
  level: LevelWithSilent = "info",
): Promise<RunLog> {
  // Loaded on first run only: commands that never materialize start faster without it.
  const { pino } = await import("pino");
  // Asynchronous writes with a buffer keep logging off the hot path of many small steps.
  const destination = pino.destination({ dest: file, mkdir: true, sync: false, minLength: 8 * 1024 });
  const root = pino(
    { level, base: { run_id: runId }, timestamp: pino.stdTimeFunctions.isoTime },
    destination,
  );
  // The buffer fills slowly while steps wait on slow calls; a periodic flush keeps `assets logs
  // --follow` and the UI's live log at most a second behind.
  const flusher = setInterval(() => destination.flush(), FLUSH_INTERVAL_MS);
  flusher.unref();
  return {
    logger: root.child({ asset: null, partition: null }),
    forStep: (assetKey, partitionKey) => root.child({ asset: assetKey, partition: partitionKey ?? null }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        clearInterval(flusher);
        destination.once("close", () => resolve());
        destination.once("error", reject);
        destination.end();
      }),
  };
}
