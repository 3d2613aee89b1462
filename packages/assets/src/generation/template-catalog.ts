/**
 * Template rows (parser, generator) and template sources for the generation assets,
 * parsed once per file version rather than once per partition.
 */
import { displayPath } from "../config/data-root.ts";
import { formatBytes, maxPromptBytes } from "../config/limits.ts";
import { type Stage, templateFilePath, templateTablePath } from "../config/paths.ts";
import { RawInputError } from "../raw/errors.ts";
import { readTemplates, type TemplateRow } from "../raw/templates.ts";
import { GenerationError } from "./errors.ts";
import { FileCache } from "./file-cache.ts";
import { renderTemplate, type TemplateLogger } from "./templates/render-template.ts";
import { loadTemplateFile } from "./templates/template-file.ts";

const tables = new FileCache<Map<string, TemplateRow>>();
const sources = new FileCache<string>();

/** The row of `templateId` in data/1_raw/<stage>_templates.csv, active or not. */
export function templateRow(root: string, stage: Stage, templateId: string): TemplateRow {
  const file = templateTablePath(root, stage);
  const rows = tables.get(file, () => new Map(readTemplates(root, stage).map((t) => [t.templateId, t])));
  const row = rows.get(templateId);
  if (row) return row;
  // Bad input (the templates table and the task tables disagree), not a generation failure.
  throw new RawInputError(
    { file },
    `${stage} template "${templateId}" is not in this file`,
    `add a row for ${templateId} (it may stay inactive), or rebuild the cohort's task tables`,
    { code: "TEMPLATE_UNKNOWN" },
  );
}

/**
 * Renders the stage's template file with `vars`; returns the prompt and the template file
 * used. `log` (the step's logger) hears once per template about variables it reads but is
 * not given. A prompt over DD_MAX_PROMPT_BYTES fails the step: it would be sent, and paid
 * for, with every call.
 */
export function renderStageTemplate(
  root: string,
  stage: Stage,
  templateId: string,
  vars: object,
  log: TemplateLogger,
): { prompt: string; file: string } {
  const file = templateFilePath(root, stage, templateId);
  const source = sources.get(file, () => loadTemplateFile(file).source);
  const shown = displayPath(file);
  const prompt = renderTemplate(source, vars as Record<string, unknown>, { file: shown, log });
  const bytes = Buffer.byteLength(prompt, "utf8");
  const limit = maxPromptBytes();
  if (bytes > limit) {
    throw new GenerationError(
      "PROMPT_TOO_LARGE",
      `the ${stage} prompt rendered from ${shown} is ${formatBytes(bytes)}, over the limit of ${formatBytes(limit)}`,
      {
        context: { stage, template: templateId, file: shown, bytes, limit },
        hint:
          `shorten the template or the text it inserts (${stage === "draft" ? "the concept descriptions" : "the parent's parsed.txt"}); ` +
          "if prompts are meant to be this long, raise DD_MAX_PROMPT_BYTES (in the shell or under env: in assets.yaml)",
      },
    );
  }
  return { prompt, file };
}

/** Forget cached tables and sources (tests that rewrite files within one clock tick). */
export function forgetTemplateCatalog(): void {
  tables.clear();
  sources.clear();
}
