/**
 * Prompt templates: Jinja2 syntax rendered with nunjucks, set up to give the same
 * bytes as the original pipeline's Jinja2 defaults (no autoescaping, undefined
 * renders empty, newlines normalised and one trailing newline of the source dropped).
 */
import type nunjucks from "nunjucks";
import { TemplateError } from "./errors.ts";
import { freeVariables } from "./free-variables.ts";
import { nunjucksLib } from "./nunjucks-lib.ts";

interface TemplateEnvironment {
  env: nunjucks.Environment;
  /** Functions nunjucks offers every template (range, cycler, joiner); @types/nunjucks omits the field. */
  globalNames: string[];
}

let environment: TemplateEnvironment | undefined;

/** Made on the first template compiled (see nunjucks-lib.ts). */
function templateEnvironment(): TemplateEnvironment {
  if (environment === undefined) {
    const env = new (nunjucksLib().Environment)(null, {
      autoescape: false,
      throwOnUndefined: false,
      trimBlocks: false,
      lstripBlocks: false,
    });
    environment = { env, globalNames: Object.keys((env as unknown as { globals: object }).globals) };
  }
  return environment;
}

/** Structured logger (pino-compatible), e.g. a step's ctx.log. */
export interface TemplateLogger {
  warn(obj: object, msg: string): void;
}

interface CompiledTemplate {
  template: nunjucks.Template;
  /** Top-level names the template reads without binding them (see freeVariables). */
  variables: readonly string[];
  /** Set once the unknown variables have been reported: one warning per template, not per prompt. */
  warned: boolean;
}

/** Compiled templates by file and source; prompts are rendered thousands of times per run. */
const compiled = new Map<string, CompiledTemplate>();
const MAX_CACHED = 256;

/** Universal newlines: `\r\n` and a lone `\r` become `\n` (Python's text mode, Jinja2's lexer). */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

/**
 * Renders `source` with `vars`. Inserted values are output as is (a `{{ }}` inside a
 * value stays literal). `file` names the template in errors. A variable the template reads
 * but `vars` lacks renders as empty, as in Jinja2; `log` gets one warning per template
 * naming such variables.
 */
export function renderTemplate(
  source: string,
  vars: Record<string, unknown>,
  options: { file?: string; log?: TemplateLogger } = {},
): string {
  const file = options.file ?? "<inline template>";
  const entry = compile(source, file);
  if (options.log && !entry.warned) warnUnknownVariables(entry, vars, file, options.log);
  try {
    return entry.template.render(vars);
  } catch (err) {
    throw toTemplateError(err, file, "cannot render");
  }
}

function warnUnknownVariables(
  entry: CompiledTemplate,
  vars: Record<string, unknown>,
  file: string,
  log: TemplateLogger,
): void {
  entry.warned = true;
  const unknown = entry.variables.filter((name) => !(name in vars));
  if (unknown.length === 0) return;
  const given = Object.keys(vars);
  log.warn(
    { template: file, unknown_variables: unknown, known_variables: given },
    `template ${file} uses ${unknown.length === 1 ? "a variable" : "variables"} it is not given, ` +
      `rendered as empty: ${unknown.join(", ")} (given: ${given.join(", ") || "none"})`,
  );
}

function compile(source: string, file: string): CompiledTemplate {
  // Jinja2's default keep_trailing_newline=False drops exactly one newline at the end of the source.
  const normalized = normalizeNewlines(source).replace(/\n$/, "");
  const key = `${file}\u0000${normalized}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  let template: nunjucks.Template;
  try {
    template = new (nunjucksLib().Template)(normalized, templateEnvironment().env, file, true);
  } catch (err) {
    throw toTemplateError(err, file, "syntax error in");
  }
  const entry = {
    template,
    variables: freeVariables(normalized, templateEnvironment().globalNames),
    warned: false,
  };
  if (compiled.size >= MAX_CACHED) compiled.clear();
  compiled.set(key, entry);
  return entry;
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
