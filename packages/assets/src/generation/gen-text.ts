import fs from "node:fs";
import type { GenStage } from "../gens/layout.ts";
import type { GensStore } from "../gens/store.ts";

/**
 * prompt.txt or parsed.txt of a generation, with universal newlines as the store reads it.
 * Read synchronously: thousands of small reads per run cost less on the event loop than
 * thread-pool round trips. A file that cannot be read is left to the store, whose typed
 * error names the file and what to materialize first.
 */
export async function readGenText(
  store: GensStore,
  stage: GenStage,
  file: "prompt" | "parsed",
  genId: string,
): Promise<string> {
  try {
    return fs.readFileSync(store.path(stage, genId, file), "utf8").replace(/\r\n?/g, "\n");
  } catch {
    // Any failure (missing, unreadable) is reported by the store's own read.
    return file === "prompt" ? store.readPrompt(stage, genId) : store.readParsed(stage, genId);
  }
}
