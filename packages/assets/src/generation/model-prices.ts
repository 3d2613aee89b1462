/** Model prices from the optional price columns of llm_models.csv, by provider model name. */
import fs from "node:fs";
import { llmModelsPath } from "../config/paths.ts";
import { unpricedModelError } from "../llm/budget.ts";
import type { ModelPrice } from "../llm/call-cost.ts";
import { RawInputError } from "../raw/errors.ts";
import { type LlmModel, readLlmModels } from "../raw/llm-models.ts";

export interface ModelPrices {
  byName: ReadonlyMap<string, ModelPrice>;
  models: readonly LlmModel[];
}

/**
 * The prices in llm_models.csv, read once when a run starts: every call of the run is priced
 * alike. No file: no prices (costs the provider does not report stay unknown). Two rows naming
 * one provider model at different prices are refused: either would be a guess.
 */
export function readModelPrices(root: string): ModelPrices {
  const file = llmModelsPath(root);
  if (!fs.existsSync(file)) return { byName: new Map(), models: [] };
  const models = readLlmModels(root);
  const byName = new Map<string, ModelPrice>();
  const from = new Map<string, LlmModel>();
  for (const m of models) {
    if (m.price === undefined) continue;
    const earlier = from.get(m.model);
    if (earlier?.price !== undefined && !samePrice(earlier.price, m.price)) {
      throw new RawInputError(
        { file, row: m.row, line: m.line },
        `model "${m.model}" is priced differently in data row ${earlier.row} (id ${earlier.id}) and here (id ${m.id})`,
        "give every row of one provider model the same prompt_usd_per_mtok and completion_usd_per_mtok",
      );
    }
    byName.set(m.model, m.price);
    from.set(m.model, m);
  }
  return { byName, models };
}

function samePrice(a: ModelPrice, b: ModelPrice): boolean {
  return a.promptUsdPerMtok === b.promptUsdPerMtok && a.completionUsdPerMtok === b.completionUsdPerMtok;
}

/**
 * A budget pays for whatever the cohort calls, so every active model (for generation or
 * evaluation) needs a price before the first call; a retired one a curated cohort still calls
 * is refused at its call.
 */
export function requireActiveModelsPriced(prices: ModelPrices): void {
  const unpriced = prices.models
    .filter((m) => (m.forGeneration || m.forEvaluation) && !prices.byName.has(m.model))
    .map((m) => m.id);
  if (unpriced.length > 0) throw unpricedModelError(unpriced);
}
