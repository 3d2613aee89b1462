/**
 * Prompt templates: Jinja2 syntax rendered with nunjucks, set up to give the same
 * bytes as the original pipeline's Jinja2 defaults (no autoescaping, undefined
 * renders empty, newlines normalised and one trailing newline of the source dropped).
 */
import nunjucks from "nunjucks";
import { TemplateError } from "./errors.ts";

const env = new nunjucks.Environment(null, {
  autoescape: false,
  throwOnUndefined: false,
  trimBlocks: false,
  lstripBlocks: false,
});

/** Compiled templates by file and source; prompts are rendered thousands of times per run. */
const compiled = new Map<string, nunjucks.Template>();
const MAX_CACHED = 256;

/** Universal newlines: `\r\n` and a lone `\r` become `\n` (Python's text mode, Jinja2's lexer). */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

/**
 * Renders `source` with `vars`. Inserted values are output as is (a `{{ }}` inside a
 * value stays literal). `file` names the template in errors.
 */
export function renderTemplate(
  source: string,
  vars: Record<string, unknown>,
  options: { file?: string } = {},
): string {
  const file = options.file ?? "<inline template>";
  const template = compile(source, file);
  try {
    return template.render(vars);
  } catch (err) {
    throw toTemplateError(err, file, "cannot render");
  }
}

function compile(source: string, file: string): nunjucks.Template {
  // Jinja2's default keep_trailing_newline=False drops exactly one newline at the end of the source.
  const normalized = normalizeNewlines(source).replace(/\n$/, "");
  const key = `${file}\u0000${normalized}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  let template: nunjucks.Template;
  try {
    template = new nunjucks.Template(normalized, env, file, true);
  } catch (err) {
    throw toTemplateError(err, file, "syntax error in");
  }
  if (compiled.size >= MAX_CACHED) compiled.clear();
  compiled.set(key, template);
  return template;
}

/** nunjucks reports "(file) [Line L, Column C]\n  reason"; keep the location and the reason. */
function toTemplateError(err: unknown, file: string, what: string): TemplateError {
  const text = err instanceof Error ? err.message : String(err);
  const location = /\[Line (\d+), Column (\d+)\]/.exec(text);
  const newline = text.indexOf("\n");
  const reason = (newline === -1 ? text : text.slice(newline + 1)).trim().replace(/^Error: /, "");
  const line = location ? Number(location[1]) : undefined;
  const column = location ? Number(location[2]) : undefined;
  const where = line === undefined ? file : `${file}:${line}:${column}`;
  return new TemplateError(`${what} template ${where}: ${reason}`, {
    file,
    line,
    column,
    cause: err,
    hint: "templates use Jinja2 syntax: {{ variable }}, {% for x in xs %}...{% endfor %}, {% raw %}...{% endraw %}; check the tags around that line",
  });
}
