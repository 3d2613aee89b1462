import { object } from "zod";
import { llmModelsPath } from "../config/paths.ts";
import type { ModelPrice } from "../llm/call-cost.ts";
import { booleanCell, idCell, requiredTextCell, textCell, usdPriceCell } from "./cells.ts";
import { assertUniqueKey, readValidatedTable } from "./csv-table.ts";
import { RawInputError } from "./errors.ts";

const modelSchema = object({
  id: idCell("id"),
  model: requiredTextCell("model"),
  provider: textCell(),
  display_name: textCell(),
  for_generation: booleanCell(false),
  for_evaluation: booleanCell(false),
  specialization: textCell(),
  prompt_usd_per_mtok: usdPriceCell("prompt price per million tokens"),
  completion_usd_per_mtok: usdPriceCell("completion price per million tokens"),
});

export const PRICE_COLUMNS = ["prompt_usd_per_mtok", "completion_usd_per_mtok"] as const;

export interface LlmModel {
  /** Short id used in task ids. */
  id: string;
  /** The provider's model name sent to the API. */
  model: string;
  provider: string;
  displayName: string;
  forGeneration: boolean;
  forEvaluation: boolean;
  specialization: string;
  /** Undefined when the price columns are absent or empty: the cost is then unknown. */
  price: ModelPrice | undefined;
  row: number;
  line: number;
}

/** Every model of llm_models.csv, in file order. */
export function readLlmModels(root: string): LlmModel[] {
  const file = llmModelsPath(root);
  const rows = readValidatedTable(
    file,
    ["id", "model", "for_generation", "for_evaluation"],
    modelSchema,
    "columns id,model,provider,display_name,for_generation,for_evaluation,specialization",
  );
  assertUniqueKey(file, rows, "id", (r) => r.id);
  return rows.map((r) => ({
    id: r.id,
    model: r.model,
    provider: r.provider,
    displayName: r.display_name,
    forGeneration: r.for_generation,
    forEvaluation: r.for_evaluation,
    specialization: r.specialization,
    price: priceOf(file, r),
    row: r.row,
    line: r.line,
  }));
}

/** Both price columns or neither: half a price would make every cost of the model a guess. */
function priceOf(
  file: string,
  r: { prompt_usd_per_mtok?: number; completion_usd_per_mtok?: number; row: number; line: number },
): ModelPrice | undefined {
  const prompt = r.prompt_usd_per_mtok;
  const completion = r.completion_usd_per_mtok;
  if (prompt === undefined && completion === undefined) return undefined;
  if (prompt === undefined || completion === undefined) {
    const column = prompt === undefined ? PRICE_COLUMNS[0] : PRICE_COLUMNS[1];
    throw new RawInputError(
      { file, row: r.row, line: r.line, column },
      "one price column is filled and the other is empty",
      `fill both ${PRICE_COLUMNS.join(" and ")} (US dollars per million tokens), or leave both empty when the price is unknown`,
    );
  }
  return { promptUsdPerMtok: prompt, completionUsdPerMtok: completion };
}
