/**
 * The raw tree behind the replicate vectors (tests/fixtures/replicates): the cohort
 * `golden-cartesian` of the original implementation, 2 combos x 2 draft templates x 2
 * generation models, 2 essay templates, 2 evaluation templates x 2 evaluation models.
 */
import fs from "node:fs";
import path from "node:path";
import { type RawTreeSpec, writeRawTree } from "./raw-tree.ts";

export const REPLICATE_FIXTURES = path.resolve(import.meta.dirname, "../fixtures/replicates");

export function replicateVectorSpec(): RawTreeSpec {
  return {
    concepts: [
      { id: "c1", name: "Concept one", sentence: "One." },
      { id: "c2", name: "Concept two", sentence: "Two." },
      { id: "c3", name: "Concept three", sentence: "Three." },
    ],
    combos: [
      { comboId: "combo_v1_e602b836eda3", concepts: ["c1", "c2"] },
      { comboId: "combo_v1_27d8935e7860", concepts: ["c2", "c3"] },
    ],
    draftTemplates: [
      { id: "idea-sketch", extra: "essay_idea_last" },
      { id: "link-weave-v2", extra: "essay_idea_last" },
    ],
    essayTemplates: [
      { id: "essay-plain", extra: "llm" },
      { id: "essay-copy", extra: "copy", body: null },
    ],
    evaluationTemplates: [
      { id: "novelty-check", extra: "in_last_line" },
      { id: "rigor-scan", extra: "in_last_line" },
    ],
    models: [
      { id: "gen-alpha", model: "provider/gen-alpha", gen: "True", evaluation: "False" },
      { id: "gen-beta", model: "provider/gen-beta", gen: "True", evaluation: "True" },
      { id: "judge-gamma", model: "provider/judge-gamma", gen: "False", evaluation: "True" },
    ],
  };
}

/** Writes the tree under `root`, with data/1_raw/replication_config.csv when `replication` is given. */
export function writeReplicateTree(root: string, replication?: string): void {
  writeRawTree(root, replicateVectorSpec());
  if (replication !== undefined)
    fs.writeFileSync(path.join(root, "1_raw", "replication_config.csv"), replication);
}
