import fs from "node:fs";
import { object } from "zod";
import { displayPath } from "../config/data-root.ts";
import { type Stage, templateFilePath, templateTablePath } from "../config/paths.ts";
import { draftParserNames } from "../parsing/draft-parsers.ts";
import { evaluationParserNames } from "../parsing/evaluation-parsers.ts";
import { booleanCell, choiceCell, idCell, textCell } from "./cells.ts";
import { assertUniqueKey, readValidatedTable } from "./csv-table.ts";
import { RawInputError } from "./errors.ts";
import { readLimitedInputFile } from "./text-file.ts";

export const ESSAY_GENERATORS = ["llm", "copy"] as const;
export type EssayGenerator = (typeof ESSAY_GENERATORS)[number];

export interface TemplateRow {
  stage: Stage;
  templateId: string;
  templateName: string;
  description: string;
  active: boolean;
  /** Draft and evaluation templates: the parser name ("" = none given). */
  parser: string;
  /** Essay templates: `llm` renders and calls a model, `copy` copies the parent draft. */
  generator: EssayGenerator;
  row: number;
  line: number;
}

const baseSchema = object({
  template_id: idCell("template_id"),
  template_name: textCell(),
  description: textCell(),
  active: booleanCell(true),
  parser: textCell(),
});
// Only essay tables have a generator column; a missing or empty one means `llm`.
const essaySchema = baseSchema.extend({ generator: choiceCell(ESSAY_GENERATORS, "llm") });

const COLUMNS: Record<Stage, string> = {
  draft: "template_id,template_name,description,active,parser",
  essay: "template_id,template_name,description,active,generator",
  evaluation: "template_id,template_name,description,active,parser",
};

/** Every template row of `<stage>_templates.csv` (active or not), in file order. */
export function readTemplates(root: string, stage: Stage): TemplateRow[] {
  const file = templateTablePath(root, stage);
  const rows = readValidatedTable(
    file,
    ["template_id"],
    stage === "essay" ? essaySchema : baseSchema,
    `columns ${COLUMNS[stage]}`,
  );
  assertUniqueKey(file, rows, "template_id", (r) => r.template_id);
  return rows.map((r) => ({
    stage,
    templateId: r.template_id,
    templateName: r.template_name,
    description: r.description,
    active: r.active,
    parser: stage === "essay" ? "" : r.parser,
    generator: "generator" in r ? (r.generator as EssayGenerator) : "llm",
    row: r.row,
    line: r.line,
  }));
}

export function activeTemplates(rows: TemplateRow[]): TemplateRow[] {
  return rows.filter((r) => r.active);
}

/** True when rendering this template needs its source file (a `copy` essay does not). */
export function needsTemplateFile(t: TemplateRow): boolean {
  return !(t.stage === "essay" && t.generator === "copy");
}

/** Fail when an active template has no source file, naming the row that declares it. */
export function assertTemplateFileExists(root: string, t: TemplateRow): void {
  const file = templateFilePath(root, t.stage, t.templateId);
  if (!fs.existsSync(file)) {
    const shown = displayPath(file);
    throw new RawInputError(
      { file: templateTablePath(root, t.stage), row: t.row, line: t.line, column: "template_id" },
      `${t.active ? "active " : ""}${t.stage} template "${t.templateId}" has no template file ${shown}`,
      t.active ? `create ${shown}, or set active to False for this template` : `create ${shown}`,
      { code: "TEMPLATE_FILE_MISSING" },
    );
  }
}

/**
 * Fail when a draft or evaluation template names a parser that is not registered, or an
 * evaluation template names none (scores cannot be read without one). Checked when a
 * cohort is built, so a typo costs no LLM call.
 */
export function assertKnownParser(root: string, t: TemplateRow): void {
  if (t.stage === "essay") return;
  const names = t.stage === "draft" ? draftParserNames() : evaluationParserNames();
  if (t.parser === "" ? t.stage === "draft" : names.includes(t.parser)) return;
  const listed = names.join(", ");
  throw new RawInputError(
    { file: templateTablePath(root, t.stage), row: t.row, line: t.line, column: "parser" },
    t.parser === ""
      ? `evaluation template "${t.templateId}" has no parser`
      : `${t.stage} template "${t.templateId}" names the unknown parser "${t.parser}"`,
    t.stage === "draft"
      ? `write one of: ${listed} (or leave it empty for identity)`
      : `write one of: ${listed}`,
    { code: "TEMPLATE_PARSER_UNKNOWN" },
  );
}

/**
 * The template source as written (Jinja2 syntax); rendering belongs to the generation assets.
 * Strict UTF-8 and at most DD_MAX_INPUT_FILE_BYTES.
 */
export function readTemplateSource(root: string, stage: Stage, templateId: string): string {
  const file = templateFilePath(root, stage, templateId);
  const source = readLimitedInputFile(file, "template");
  if (source !== undefined) return source;
  throw new RawInputError(
    { file },
    `template "${templateId}" has no file`,
    `create ${file} or deactivate the template in ${stage}_templates.csv`,
    { code: "TEMPLATE_FILE_MISSING" },
  );
}
