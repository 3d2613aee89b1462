import { AssetsError } from "@daydream/core";
import { type ContentCombination, findContentCombination } from "../tasks/content-combinations.ts";

// The content_combinations value is loaded once per run and shared by every draft partition: index it once.
const indexes = new WeakMap<readonly ContentCombination[], Map<string, ContentCombination>>();

function indexOf(combos: readonly ContentCombination[]): Map<string, ContentCombination> {
  let index = indexes.get(combos);
  if (!index) {
    index = new Map(combos.map((c) => [c.comboId, c]));
    indexes.set(combos, index);
  }
  return index;
}

/**
 * The combo a draft is rendered from: among the combos in play (the content_combinations
 * input), else in the superset data/combo_mappings.csv (a regenerated curated cohort may
 * name a combo that is no longer selected).
 */
export function comboFor(root: string, combos: unknown, comboId: string): ContentCombination {
  if (!Array.isArray(combos)) {
    throw new AssetsError(
      "CONTENT_COMBINATIONS_INVALID",
      "the content_combinations value is not a list of combos",
      {
        context: { input: "content_combinations" },
        hint: "materialize content_combinations again",
        userError: false,
      },
    );
  }
  return indexOf(combos as ContentCombination[]).get(comboId) ?? findContentCombination(root, comboId);
}
