import fs from "node:fs";
import { comboMappingsPath, type DescriptionLevel } from "../config/paths.ts";
import {
  type ComboMappingRow,
  readComboMappingsFile,
  readSelectedComboMappings,
} from "../raw/combo-mappings.ts";
import { type Concept, readConcepts, resolveConceptContent } from "../raw/concepts.ts";
import { RawInputError } from "../raw/errors.ts";

/** A combo with its concepts' text, ready for a draft template's `concepts` variable. */
export interface ContentCombination {
  comboId: string;
  descriptionLevel: DescriptionLevel;
  kMax: number;
  /** In the combo's row order in the mappings file (not concepts_metadata.csv's order). */
  concepts: Array<{ conceptId: string; name: string; content: string }>;
}

/**
 * Resolve each combo's concepts (inactive concepts included) to name + content at the
 * combo's description level, with the paragraph/sentence/name fallbacks.
 */
export function buildContentCombinations(
  root: string,
  rows: readonly ComboMappingRow[],
  file: string,
  concepts?: Concept[],
): ContentCombination[] {
  const byId = new Map((concepts ?? readConcepts(root)).map((c) => [c.conceptId, c]));
  const combos = new Map<string, ContentCombination>();
  for (const r of rows) {
    const concept = byId.get(r.conceptId);
    if (!concept) {
      throw new RawInputError(
        { file, row: r.row, line: r.line, column: "concept_id" },
        `combo "${r.comboId}" names concept "${r.conceptId}", which is not in data/1_raw/concepts_metadata.csv`,
        "add the concept to concepts_metadata.csv (it may stay inactive) or fix the concept_id",
      );
    }
    let combo = combos.get(r.comboId);
    if (!combo) {
      combo = { comboId: r.comboId, descriptionLevel: r.descriptionLevel, kMax: r.kMax, concepts: [] };
      combos.set(r.comboId, combo);
    }
    combo.concepts.push({
      conceptId: concept.conceptId,
      name: concept.name,
      content: resolveConceptContent(root, concept, r.descriptionLevel),
    });
  }
  return [...combos.values()];
}

/** The content combinations of the combos in play (data/2_tasks/selected_combo_mappings.csv). */
export function loadContentCombinations(root: string): ContentCombination[] {
  const selected = readSelectedComboMappings(root);
  return buildContentCombinations(root, selected.rows, selected.file);
}

/**
 * One combo's content, looked up among the selected combos first, then in the superset
 * data/combo_mappings.csv (a regenerated curated cohort may use a combo no longer in play).
 */
export function findContentCombination(root: string, comboId: string): ContentCombination {
  const selected = readSelectedComboMappings(root);
  const inSelected = selected.rows.filter((r) => r.comboId === comboId);
  if (inSelected.length > 0) return buildContentCombinations(root, inSelected, selected.file)[0];
  const superset = comboMappingsPath(root);
  const rows = fs.existsSync(superset)
    ? readComboMappingsFile(superset).filter((r) => r.comboId === comboId)
    : [];
  if (rows.length > 0) return buildContentCombinations(root, rows, superset)[0];
  throw new RawInputError(
    { file: superset },
    `combo "${comboId}" is not defined`,
    "add the combo's rows to data/combo_mappings.csv",
    {
      code: "COMBO_UNKNOWN",
    },
  );
}
