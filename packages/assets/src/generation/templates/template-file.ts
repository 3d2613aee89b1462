import { readLimitedInputFile } from "../../raw/text-file.ts";
import { TemplateError } from "./errors.ts";
import { normalizeNewlines, renderTemplate } from "./render-template.ts";

/** A template's text (universal newlines) and the file it came from, for error messages. */
export interface TemplateSource {
  file: string;
  source: string;
}

/**
 * Reads a template file with universal newlines: strict UTF-8 (an invalid byte is an error
 * naming the file and its offset) and at most DD_MAX_INPUT_FILE_BYTES.
 */
export function loadTemplateFile(file: string): TemplateSource {
  const raw = readLimitedInputFile(file, "template");
  if (raw === undefined) {
    throw new TemplateError(`cannot read template ${file}: ENOENT (no such file)`, {
      file,
      hint: "create the template file, or fix the template_id in the templates table that names it",
    });
  }
  return { file, source: normalizeNewlines(raw) };
}

/** Loads and renders a template file. */
export function renderTemplateFile(file: string, vars: Record<string, unknown>): string {
  const { source } = loadTemplateFile(file);
  return renderTemplate(source, vars, { file });
}
