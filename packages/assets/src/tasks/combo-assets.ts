import { asset } from "@daydream/core";
import { dataRoot, displayPath } from "../config/data-root.ts";
import { selectedComboMappingsPath } from "../config/paths.ts";
import { type ComboMappingRow, readSelectedComboMappings } from "../raw/combo-mappings.ts";
import {
  buildContentCombinations,
  type ContentCombination,
  loadContentCombinations,
} from "./content-combinations.ts";
import { DERIVED_IO } from "./task-assets.ts";

export const selectedComboMappingsAsset = asset({
  key: "selected_combo_mappings",
  group: "task_definitions",
  description:
    "The combos in play: data/2_tasks/selected_combo_mappings.csv, checked against the superset data/combo_mappings.csv.",
  io: DERIVED_IO,
  kinds: ["csv"],
  compute: (ctx) => {
    const selected = readSelectedComboMappings(dataRoot());
    ctx.addMetadata({
      path: displayPath(selected.file),
      exists: selected.exists,
      combos: selected.comboIds.length,
      rows: selected.rows.length,
      superset_checked: selected.supersetChecked,
      ...(selected.exists
        ? {}
        : { note: "file not found: no combos in play (a curated cohort does not need any)" }),
    });
    return selected.rows;
  },
});

export const contentCombinationsAsset = asset({
  key: "content_combinations",
  group: "task_definitions",
  description:
    "Each selected combo with its concepts' names and description text at the combo's level (input of draft prompts).",
  ins: { selected_combo_mappings: {} },
  io: DERIVED_IO,
  compute: (ctx, inputs) => {
    const root = dataRoot();
    const rows = inputs.selected_combo_mappings as ComboMappingRow[];
    const combos: ContentCombination[] = buildContentCombinations(
      root,
      rows,
      selectedComboMappingsPath(root),
    );
    ctx.addMetadata({
      combination_count: combos.length,
      concepts: combos.reduce((n, c) => n + c.concepts.length, 0),
    });
    return combos;
  },
});

/** How a later run loads these values: by reading the raw files again. */
export const derivedComboValues = {
  selected_combo_mappings: (root: string) => readSelectedComboMappings(root).rows,
  content_combinations: (root: string) => loadContentCombinations(root),
};
