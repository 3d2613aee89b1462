import { z } from "zod";
import { llmModelsPath } from "../config/paths.ts";
import { booleanCell, idCell, requiredTextCell, textCell } from "./cells.ts";
import { assertUniqueKey, readValidatedTable } from "./csv-table.ts";

const modelSchema = z.object({
  id: idCell("id"),
  model: requiredTextCell("model"),
  provider: textCell(),
  display_name: textCell(),
  for_generation: booleanCell(false),
  for_evaluation: booleanCell(false),
  specialization: textCell(),
});

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
    row: r.row,
    line: r.line,
  }));
}
