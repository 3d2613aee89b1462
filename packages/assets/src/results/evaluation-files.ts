import { GensStoreError } from "../gens/errors.ts";
import type { GensStore } from "../gens/store.ts";
import type { EvaluationGenFiles } from "./parsed-scores.ts";

/**
 * Reads what scoring one evaluation needs: metadata.json, and parsed.txt or (only when there is
 * no parsed.txt) raw.txt. A store problem (bad gen_id, unreadable or corrupt file) is returned
 * as `problem` so that it lands in that evaluation's row rather than failing the whole table.
 */
export async function readEvaluationFiles(store: GensStore, genId: string): Promise<EvaluationGenFiles> {
  try {
    const files: EvaluationGenFiles = {};
    if (store.has("evaluation", genId, "metadata"))
      files.metadata = await store.readMetadata("evaluation", genId);
    if (store.hasParsed("evaluation", genId)) files.parsed = await store.readParsed("evaluation", genId);
    else if (store.has("evaluation", genId, "raw")) files.raw = await store.readRaw("evaluation", genId);
    return files;
  } catch (err) {
    if (err instanceof GensStoreError) return { problem: err.message };
    throw err;
  }
}
