import fs from "node:fs";
import path from "node:path";
import { materialize, openInstance } from "@daydream/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import definitions from "../src/definitions.ts";
import { type TempDir, tempDir } from "./helpers/rawTree.ts";

const sampleData = path.resolve(import.meta.dirname, "../../../data");
let tmp: TempDir;

beforeEach(() => {
  tmp = tempDir("dd-sample-");
  // Only the committed inputs: a local demo run may have left outputs (or a selection) in data/.
  for (const input of ["1_raw", "combo_mappings.csv", "2_tasks/selected_combo_mappings.csv"]) {
    fs.cpSync(path.join(sampleData, input), path.join(tmp.dir, "data", input), { recursive: true });
  }
  process.env.DD_DATA_ROOT = path.join(tmp.dir, "data");
});
afterEach(() => {
  delete process.env.DD_DATA_ROOT;
  tmp.cleanup();
});

describe("the sample experiment in data/", () => {
  it("builds a Cartesian cohort and its task tables", async () => {
    const instance = openInstance(path.join(tmp.dir, "home"));
    try {
      const metadata: Record<string, Record<string, unknown>> = {};
      const summary = await materialize(definitions, {
        selection: "cohort_id,cohort_membership,group:task_definitions",
        instance,
        onProgress: (e) => {
          if (e.type === "step_success") metadata[e.assetKey] = e.metadata;
        },
      });
      expect(summary.failures).toEqual([]);
      // 2 combos x 2 draft templates x 1 model; x 2 essay templates; x 2 evaluation templates x 1 evaluator
      expect(metadata.cohort_membership.rows_per_stage).toEqual({ draft: 4, essay: 8, evaluation: 16 });
      const evaluations = fs.readFileSync(
        path.join(tmp.dir, "data", "2_tasks", "evaluation_tasks.csv"),
        "utf8",
      );
      expect(evaluations).toContain(",in_last_line\n");
      expect(evaluations).toContain(",complex\n");
    } finally {
      instance.close();
    }
  });
});
