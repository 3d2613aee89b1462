import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  smallSpec,
  type TempDir,
  tempDir,
  writeRawTree,
  writeSelectedEssays,
} from "../../tests/helpers/raw-tree.ts";
import { thrown } from "../../tests/helpers/thrown.ts";
import { readSelectedComboMappings } from "./combo-mappings.ts";
import { readConcepts } from "./concepts.ts";
import { RawInputError } from "./errors.ts";
import { readLlmModels } from "./llm-models.ts";
import { readSelectedEssays } from "./selected-essays.ts";
import { readTemplates } from "./templates.ts";

let tmp: TempDir;
let root: string;

beforeEach(() => {
  tmp = tempDir("dd-raw-");
  root = path.join(tmp.dir, "data");
  writeRawTree(root, smallSpec());
});
afterEach(() => tmp.cleanup());

function rewrite(rel: string, text: string): void {
  fs.writeFileSync(path.join(root, rel), text);
}

const caught = (fn: () => unknown) => thrown(fn, RawInputError);

describe("raw readers", () => {
  it("reads booleans written as True/true/False/false/1/0 and treats a missing active as active", () => {
    rewrite(
      "1_raw/concepts_metadata.csv",
      "concept_id,name,active\na,A,True\nb,B,true\nc,C,False\nd,D,false\ne,E,1\nf,F,0\ng,G,\n",
    );
    expect(readConcepts(root).map((c) => c.active)).toEqual([true, true, false, false, true, false, true]);
    rewrite("1_raw/concepts_metadata.csv", "concept_id,name\na,A\n");
    expect(readConcepts(root)[0].active).toBe(true);
  });

  it("reads template tables with generator and parser defaults", () => {
    const essays = readTemplates(root, "essay");
    expect(essays.map((t) => [t.templateId, t.generator, t.active])).toEqual([
      ["e1", "llm", true],
      ["e2", "copy", true],
    ]);
    const evals = readTemplates(root, "evaluation");
    expect(evals.map((t) => [t.templateId, t.parser, t.active])).toEqual([
      ["v1", "in_last_line", true],
      ["v2", "complex", true],
    ]);
  });

  it("names file, data row, line, column and the fix for a malformed boolean", () => {
    rewrite(
      "1_raw/llm_models.csv",
      "id,model,for_generation,for_evaluation\n\nm1,p/m1,True,False\nm2,p/m2,yes,False\n",
    );
    const err = caught(() => readLlmModels(root));
    expect(err.message).toContain("llm_models.csv");
    expect(err.message).toContain('data row 2 (line 4), column "for_generation"');
    expect(err.message).toContain('expected a boolean, got "yes"');
    expect(err.context).toMatchObject({ row: 2, line: 4, column: "for_generation" });
    expect(err.hint).toMatch(/True or False/);
  });

  it("names a required column missing from the header", () => {
    rewrite("1_raw/llm_models.csv", "id,for_generation,for_evaluation\nm1,True,False\n");
    const err = caught(() => readLlmModels(root));
    expect(err.context).toMatchObject({ line: 1, column: "model" });
    expect(err.hint).toContain('add a "model" column');
  });

  it("rejects a record with more cells than the header", () => {
    rewrite("1_raw/draft_templates.csv", "template_id,active\nd1,True,extra\n");
    expect(caught(() => readTemplates(root, "draft")).message).toMatch(
      /data row 1 \(line 2\): 3 cells but the header has 2/,
    );
  });

  it("rejects an unknown essay generator with the allowed values", () => {
    rewrite("1_raw/essay_templates.csv", "template_id,active,generator\ne1,True,llm\ne2,True,paste\n");
    const err = caught(() => readTemplates(root, "essay"));
    expect(err.context).toMatchObject({ row: 2, column: "generator" });
    expect(err.hint).toContain("llm, copy");
  });

  it("rejects a duplicate id and an id that could escape its directory", () => {
    rewrite("1_raw/draft_templates.csv", "template_id,active\nd1,True\nd1,False\n");
    expect(caught(() => readTemplates(root, "draft")).message).toMatch(
      /duplicate template_id "d1" \(first defined in data row 1/,
    );
    rewrite("1_raw/draft_templates.csv", "template_id,active\n../d1,True\n");
    expect(caught(() => readTemplates(root, "draft")).context).toMatchObject({ column: "template_id" });
  });

  it("reports a missing raw file with what it should contain", () => {
    fs.rmSync(path.join(root, "1_raw/llm_models.csv"));
    const err = caught(() => readLlmModels(root));
    expect(err.code).toBe("RAW_FILE_MISSING");
    expect(err.hint).toContain("for_generation");
  });
});

describe("selected combo mappings", () => {
  it("lists the combos in play in file order", () => {
    const selected = readSelectedComboMappings(root);
    expect(selected.comboIds).toEqual(["combo-a", "combo-b"]);
    expect(selected.supersetChecked).toBe(true);
  });

  it("rejects a selected combo the superset does not define", () => {
    fs.appendFileSync(
      path.join(root, "2_tasks/selected_combo_mappings.csv"),
      "combo-new,v1,c1,paragraph,1,x\n",
    );
    const err = caught(() => readSelectedComboMappings(root));
    expect(err.context).toMatchObject({ row: 5, column: "combo_id" });
    expect(err.message).toContain("combo_mappings.csv");
  });

  it("rejects a combo whose rows disagree on the description level", () => {
    rewrite(
      "2_tasks/selected_combo_mappings.csv",
      "combo_id,concept_id,description_level,k_max\ncombo-a,c1,paragraph,2\ncombo-a,c2,sentence,2\n",
    );
    expect(caught(() => readSelectedComboMappings(root)).context).toMatchObject({
      row: 2,
      column: "description_level",
    });
  });

  it("counts a missing selection file as no combos", () => {
    fs.rmSync(path.join(root, "2_tasks/selected_combo_mappings.csv"));
    expect(readSelectedComboMappings(root)).toMatchObject({ exists: false, comboIds: [] });
  });
});

describe("selected essays", () => {
  it("is undefined when the file does not exist", () => {
    expect(readSelectedEssays(root)).toBeUndefined();
  });

  it("ignores blank lines and # comments and keeps each id once", () => {
    writeSelectedEssays(root, "# top essays\n\nE1\n  E2  \r\nE1\n# E3\n");
    expect(readSelectedEssays(root)).toMatchObject({ ids: ["E1", "E2"], lines: [3, 4] });
  });

  it("rejects an id that is not a safe directory name, naming its line", () => {
    writeSelectedEssays(root, "E1\n../etc\n");
    expect(caught(() => readSelectedEssays(root)).context).toMatchObject({ line: 2 });
  });

  it("rejects a file that lists no ids", () => {
    writeSelectedEssays(root, "# nothing yet\n\n");
    expect(caught(() => readSelectedEssays(root)).hint).toMatch(
      /delete the file to build a Cartesian cohort/,
    );
  });
});
