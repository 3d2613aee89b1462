/**
 * Writes small raw data trees (data/1_raw, combo mappings, gens) into temp directories
 * for the cohort and task tests and the cohort benchmark.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface ConceptSpec {
  id: string;
  name: string;
  active?: string;
  sentence?: string;
  paragraph?: string;
  article?: string;
}
export interface ComboSpec {
  comboId: string;
  concepts: string[];
  level?: string;
  kMax?: number;
}
export interface TemplateSpec {
  id: string;
  active?: string;
  /** Draft/evaluation parser, or essay generator. */
  extra?: string;
  /** Template source; default a one-line template. Null: no file. */
  body?: string | null;
}
export interface ModelSpec {
  id: string;
  model: string;
  gen: string;
  evaluation: string;
}
export interface RawTreeSpec {
  concepts: ConceptSpec[];
  /** The combos in play (selected_combo_mappings.csv); also written to the superset. */
  combos: ComboSpec[];
  /** Extra combos only in the superset combo_mappings.csv. */
  supersetOnly?: ComboSpec[];
  draftTemplates: TemplateSpec[];
  essayTemplates: TemplateSpec[];
  evaluationTemplates: TemplateSpec[];
  models: ModelSpec[];
}

/** 2 combos x 1 active draft template x 1 generation model, 2 essay templates, 2 evaluation templates x 2 evaluators. */
export function smallSpec(): RawTreeSpec {
  return {
    concepts: [
      { id: "c1", name: "Concept one", sentence: "One in a sentence.", paragraph: "One in a paragraph." },
      { id: "c2", name: "Concept two", sentence: "Two in a sentence." },
      { id: "c3", name: "Concept three", active: "False" },
    ],
    combos: [
      { comboId: "combo-a", concepts: ["c1", "c2"] },
      { comboId: "combo-b", concepts: ["c2", "c3"], level: "sentence" },
    ],
    supersetOnly: [{ comboId: "combo-z", concepts: ["c1", "c3"] }],
    draftTemplates: [
      { id: "d1", active: "True", extra: "essay_idea_last" },
      { id: "d-off", active: "False", extra: "", body: null },
    ],
    essayTemplates: [
      { id: "e1", active: "true", extra: "llm" },
      { id: "e2", active: "1", extra: "copy", body: null },
    ],
    evaluationTemplates: [
      { id: "v1", active: "True", extra: "in_last_line" },
      { id: "v2", active: "", extra: "complex" },
    ],
    models: [
      { id: "gen-1", model: "provider/gen-1", gen: "True", evaluation: "False" },
      { id: "ev-1", model: "provider/ev-1", gen: "False", evaluation: "True" },
      { id: "ev-2", model: "provider/ev-2", gen: "false", evaluation: "true" },
    ],
  };
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

function comboRows(combos: ComboSpec[]): string {
  return combos
    .flatMap((c) =>
      c.concepts.map(
        (id) => `${c.comboId},v1,${id},${c.level ?? "paragraph"},${c.kMax ?? c.concepts.length},2025-01-01`,
      ),
    )
    .join("\n");
}

const COMBO_HEADER = "combo_id,version,concept_id,description_level,k_max,created_at";

export function writeRawTree(root: string, spec: RawTreeSpec): void {
  const raw = path.join(root, "1_raw");
  write(
    path.join(raw, "concepts_metadata.csv"),
    ["concept_id,name,active", ...spec.concepts.map((c) => `${c.id},${c.name},${c.active ?? "True"}`)].join(
      "\n",
    ) + "\n",
  );
  for (const c of spec.concepts) {
    for (const level of ["sentence", "paragraph", "article"] as const) {
      const text = c[level];
      if (text !== undefined) write(path.join(raw, "concepts", `descriptions-${level}`, `${c.id}.txt`), text);
    }
  }
  write(
    path.join(raw, "llm_models.csv"),
    [
      "id,model,provider,display_name,for_generation,for_evaluation,specialization",
      ...spec.models.map((m) => `${m.id},${m.model},test,${m.id},${m.gen},${m.evaluation},`),
    ].join("\n") + "\n",
  );
  const tables: Array<[string, string, TemplateSpec[], (id: string) => string]> = [
    [
      "draft",
      "parser",
      spec.draftTemplates,
      (id) => path.join(raw, "generation_templates", "draft", `${id}.txt`),
    ],
    [
      "essay",
      "generator",
      spec.essayTemplates,
      (id) => path.join(raw, "generation_templates", "essay", `${id}.txt`),
    ],
    [
      "evaluation",
      "parser",
      spec.evaluationTemplates,
      (id) => path.join(raw, "evaluation_templates", `${id}.txt`),
    ],
  ];
  for (const [stage, extraColumn, templates, fileOf] of tables) {
    write(
      path.join(raw, `${stage}_templates.csv`),
      [
        `template_id,template_name,description,active,${extraColumn}`,
        ...templates.map((t) => `${t.id},${t.id} name,about ${t.id},${t.active ?? "True"},${t.extra ?? ""}`),
      ].join("\n") + "\n",
    );
    for (const t of templates)
      if (t.body !== null)
        write(fileOf(t.id), t.body ?? `template ${t.id}: {{ response }}{{ draft_block }}\n`);
  }
  write(
    path.join(root, "combo_mappings.csv"),
    `${COMBO_HEADER}\n${comboRows([...spec.combos, ...(spec.supersetOnly ?? [])])}\n`,
  );
  write(
    path.join(root, "2_tasks", "selected_combo_mappings.csv"),
    `${COMBO_HEADER}\n${comboRows(spec.combos)}\n`,
  );
}

/** A generation's metadata.json (and a parsed.txt) in data/gens/<stage>/<genId>/. */
export function writeGen(
  root: string,
  stage: string,
  genId: string,
  metadata: Record<string, unknown>,
): void {
  const dir = path.join(root, "gens", stage, genId);
  write(path.join(dir, "metadata.json"), JSON.stringify({ stage, gen_id: genId, ...metadata }, null, 2));
  write(path.join(dir, "parsed.txt"), `parsed text of ${genId}\n`);
}

/** A toy prior generation: draft D1 -> essay E1 (and more when asked). */
export function writeToyChain(
  root: string,
  draftId: string,
  essayId: string,
  opts: { combo?: string; model?: string } = {},
): void {
  writeGen(root, "draft", draftId, {
    parent_gen_id: "",
    template_id: "d1",
    model_id: opts.model ?? "gen-1",
    task_id: `${opts.combo ?? "combo-a"}__d1__${opts.model ?? "gen-1"}`,
    combo_id: opts.combo ?? "combo-a",
    cohort_id: "cohort-old",
  });
  writeGen(root, "essay", essayId, {
    parent_gen_id: draftId,
    template_id: "e1",
    model_id: opts.model ?? "gen-1",
    task_id: `${opts.combo ?? "combo-a"}__d1__${opts.model ?? "gen-1"}__e1`,
    essay_template: "e1",
    cohort_id: "cohort-old",
  });
}

export function writeSelectedEssays(root: string, text: string): void {
  write(path.join(root, "2_tasks", "selected_essays.txt"), text);
}

export interface TempDir {
  dir: string;
  cleanup(): void;
}

export function tempDir(prefix: string): TempDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
