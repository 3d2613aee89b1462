import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { smallSpec, type TempDir, tempDir, writeRawTree } from "../../tests/helpers/raw-tree.ts";
import { thrown } from "../../tests/helpers/thrown.ts";
import { RawInputError } from "../raw/errors.ts";
import { findContentCombination, loadContentCombinations } from "./content-combinations.ts";

let tmp: TempDir;
let root: string;

beforeEach(() => {
  tmp = tempDir("dd-content-");
  root = path.join(tmp.dir, "data");
  writeRawTree(root, smallSpec());
});
afterEach(() => tmp.cleanup());

describe("content combinations", () => {
  it("resolve each selected combo's concepts in the mapping's row order, inactive concepts included", () => {
    expect(loadContentCombinations(root)).toEqual([
      {
        comboId: "combo-a",
        descriptionLevel: "paragraph",
        kMax: 2,
        concepts: [
          { conceptId: "c1", name: "Concept one", content: "One in a paragraph." },
          { conceptId: "c2", name: "Concept two", content: "Two in a sentence." },
        ],
      },
      {
        comboId: "combo-b",
        descriptionLevel: "sentence",
        kMax: 2,
        concepts: [
          { conceptId: "c2", name: "Concept two", content: "Two in a sentence." },
          { conceptId: "c3", name: "Concept three", content: "Concept three" },
        ],
      },
    ]);
  });

  it("find a combo that is only in the superset", () => {
    expect(findContentCombination(root, "combo-z").concepts.map((c) => c.conceptId)).toEqual(["c1", "c3"]);
    expect(thrown(() => findContentCombination(root, "combo-none"), RawInputError).code).toBe(
      "COMBO_UNKNOWN",
    );
  });

  it("fail naming the mapping row of a concept that concepts_metadata.csv lacks", () => {
    const file = path.join(root, "2_tasks", "selected_combo_mappings.csv");
    fs.writeFileSync(
      file,
      "combo_id,concept_id,description_level,k_max\ncombo-a,c1,paragraph,2\ncombo-a,c2,paragraph,2\n",
    );
    fs.writeFileSync(path.join(root, "1_raw", "concepts_metadata.csv"), "concept_id,name\nc1,One\n");
    const err = thrown(() => loadContentCombinations(root), RawInputError);
    expect(err.context).toMatchObject({ row: 2, column: "concept_id" });
    expect(err.message).toContain('combo "combo-a" names concept "c2"');
  });
});
