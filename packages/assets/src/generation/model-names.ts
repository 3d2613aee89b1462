import { displayPath } from "../config/data-root.ts";
import { llmModelsPath } from "../config/paths.ts";
import { type LlmModel, readLlmModels } from "../raw/llm-models.ts";
import { GenerationError } from "./errors.ts";
import { FileCache } from "./file-cache.ts";

const models = new FileCache<Map<string, LlmModel>>();

/**
 * The provider's model name to send for `modelId`: the task row's `*_model_name` when the
 * cohort recorded one, else the `model` column of llm_models.csv (a curated cohort may leave
 * the name of a retired generation model empty).
 */
export function modelNameFor(root: string, modelId: string, fromTaskRow: string): string {
  const recorded = fromTaskRow.trim();
  if (recorded !== "") return recorded;
  const file = llmModelsPath(root);
  const byId = models.get(file, () => new Map(readLlmModels(root).map((m) => [m.id, m])));
  const model = byId.get(modelId);
  if (model) return model.model;
  throw new GenerationError("MODEL_UNKNOWN", `model "${modelId}" has no provider model name`, {
    context: { model_id: modelId, file: displayPath(file) },
    hint: `add a row with id ${modelId} and its provider model name to ${displayPath(file)}, or rebuild the cohort's task tables`,
  });
}
