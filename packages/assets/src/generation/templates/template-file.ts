import fs from "node:fs";
import { TemplateError } from "./errors.ts";
import { normalizeNewlines, renderTemplate } from "./render-template.ts";

/** A template's text (universal newlines) and the file it came from, for error messages. */
export interface TemplateSource {
  file: string;
  source: string;
}

/** Reads a template file as UTF-8 with universal newlines. */
export function loadTemplateFile(file: string): TemplateSource {
  let raw: string;
  try {
    raw = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TemplateError(`cannot read template ${file}: ${code ?? String(err)}`, {
      file,
      cause: err,
      hint:
        code === "ENOENT"
          ? "create the template file, or fix the template_id in the templates table that names it"
          : "check the file's permissions",
    });
  }
  return { file, source: normalizeNewlines(raw) };
}

/** Loads and renders a template file. */
export function renderTemplateFile(file: string, vars: Record<string, unknown>): string {
  const { source } = loadTemplateFile(file);
  return renderTemplate(source, vars, { file });
}
