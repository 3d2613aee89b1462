import fs from "node:fs";
import path from "node:path";
import { materialize, openInstance } from "@daydream/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import definitions from "../src/definitions.ts";
import { comboId } from "../src/ids.ts";
import { readComboMappingsFile } from "../src/raw/combo-mappings.ts";
import { readConceptDescription, readConcepts } from "../src/raw/concepts.ts";
import { readLlmModels } from "../src/raw/llm-models.ts";
import { readTemplates } from "../src/raw/templates.ts";
import { type TempDir, tempDir } from "./helpers/raw-tree.ts";

const sampleData = path.resolve(import.meta.dirname, "../../../data");
let tmp: TempDir;
let root: string;
let previousLlm: string | undefined;

beforeEach(() => {
  tmp = tempDir("dd-sample-");
  root = path.join(tmp.dir, "data");
  // Only the committed inputs: a local demo run may have left outputs (or a selection) in data/.
  for (const input of ["1_raw", "combo_mappings.csv", "2_tasks/selected_combo_mappings.csv"]) {
    fs.cpSync(path.join(sampleData, input), path.join(root, input), { recursive: true });
  }
  process.env.DD_DATA_ROOT = root;
  // The sample is meant for the offline client; never reach a real endpoint from a test.
  previousLlm = process.env.DD_LLM;
  process.env.DD_LLM = "offline";
});
afterEach(() => {
  delete process.env.DD_DATA_ROOT;
  if (previousLlm === undefined) delete process.env.DD_LLM;
  else process.env.DD_LLM = previousLlm;
  tmp.cleanup();
});

const active = (stage: "draft" | "essay" | "evaluation") =>
  readTemplates(root, stage).filter((t) => t.active);

describe("the sample experiment in data/", () => {
  it("has the promised shape: concepts with descriptions, combos whose ids match their concepts, two templates per stage", () => {
    const concepts = readConcepts(root);
    expect(concepts.length).toBeGreaterThanOrEqual(5);
    for (const c of concepts) expect(readConceptDescription(root, c.conceptId, "sentence")).not.toBe("");
    const superset = readComboMappingsFile(path.join(root, "combo_mappings.csv"));
    for (const id of new Set(superset.map((r) => r.comboId))) {
      const rows = superset.filter((r) => r.comboId === id);
      expect(
        comboId(
          rows.map((r) => r.conceptId),
          rows[0].descriptionLevel,
          rows[0].kMax,
        ),
      ).toBe(id);
    }
    const selected = readComboMappingsFile(path.join(root, "2_tasks/selected_combo_mappings.csv"));
    expect(new Set(selected.map((r) => r.comboId)).size).toBe(2);
    expect(active("draft").map((t) => t.parser)).toEqual(["essay_idea_last", ""]);
    expect(active("essay").map((t) => t.generator)).toEqual(["llm", "copy"]);
    expect(active("evaluation").map((t) => t.parser)).toEqual(["in_last_line", "complex"]);
    const models = readLlmModels(root);
    for (const m of models.filter((x) => x.forGeneration || x.forEvaluation)) {
      expect(m.provider).toBe("offline");
    }
    expect(models.some((m) => m.forGeneration)).toBe(true);
    expect(models.some((m) => m.forEvaluation)).toBe(true);
  });

  it("runs the whole pipeline with the offline LLM: cohort, task tables, drafts, essays, scored evaluations", async () => {
    const instance = openInstance(path.join(tmp.dir, "home"));
    try {
      const metadata: Record<string, Record<string, unknown>> = {};
      const cohort = await materialize(definitions, {
        selection: "cohort_id,cohort_membership,group:task_definitions",
        instance,
        onProgress: (e) => {
          if (e.type === "step_success") metadata[e.assetKey] = e.metadata;
        },
      });
      expect(cohort.failures).toEqual([]);
      // 2 combos x 2 draft templates x 1 model; x 2 essay templates; x 2 evaluation templates x 1 evaluator
      expect(metadata.cohort_membership.rows_per_stage).toEqual({ draft: 4, essay: 8, evaluation: 16 });
      for (const stage of ["draft", "essay", "evaluation"]) {
        const run = await materialize(definitions, {
          selection: `${stage}_prompt,${stage}_response`,
          partitions: "all",
          instance,
        });
        expect(run.failures).toEqual([]);
      }
      const scores = fs
        .readdirSync(path.join(root, "gens", "evaluation"))
        .map((id) => fs.readFileSync(path.join(root, "gens", "evaluation", id, "parsed.txt"), "utf8"));
      expect(scores).toHaveLength(16);
      for (const score of scores) expect(score).toMatch(/^\d+(\.\d+)?\n$/);
    } finally {
      instance.close();
    }
  });
});
