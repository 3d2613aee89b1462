/**
 * The generated Cartesian raw tree of the cohort benchmarks: N combos x 5 draft templates x
 * 5 generation models x 4 essay templates x 5 evaluation templates x 4 evaluation models
 * (N=40: 1,000 drafts, 4,000 essays, 80,000 evaluations).
 */
import type { RawTreeSpec } from "../packages/assets/tests/helpers/raw-tree.ts";

export function cohortBenchSpec(combos: number): RawTreeSpec {
  const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
  return {
    concepts: range(combos + 1, (i) => `concept-${i}`).map((id) => ({
      id,
      name: id,
      sentence: `${id} in one sentence.`,
    })),
    combos: range(combos, (i) => `combo-${i}`).map((comboId, i) => ({
      comboId,
      concepts: [`concept-${i}`, `concept-${i + 1}`],
    })),
    draftTemplates: range(5, (i) => `draft-tpl-${i}`).map((id) => ({ id, extra: "essay_idea_last" })),
    essayTemplates: range(4, (i) => `essay-tpl-${i}`).map((id) => ({ id, extra: "llm" })),
    evaluationTemplates: range(5, (i) => `eval-tpl-${i}`).map((id) => ({ id, extra: "in_last_line" })),
    models: [
      ...range(5, (i) => ({
        id: `gen-model-${i}`,
        model: `provider/gen-model-${i}`,
        gen: "True",
        evaluation: "False",
      })),
      ...range(4, (i) => ({
        id: `eval-model-${i}`,
        model: `provider/eval-model-${i}`,
        gen: "False",
        evaluation: "True",
      })),
    ],
  };
}
