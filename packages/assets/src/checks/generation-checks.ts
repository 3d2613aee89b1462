/**
 * The DayDreaming asset checks: run after each materialization of a generation asset and on
 * demand (`assets check`). Responses: files present and non-empty, parsed.txt what its parser
 * makes of raw.txt, evaluation scores in 0-10; prompts: no template syntax left unrendered.
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { type AssetCheckDefinition, assetCheck, type CheckContext, type CheckResult } from "@daydream/core";
import { dataRoot, displayPath } from "../config/data-root.ts";
import { type Stage, templateFilePath } from "../config/paths.ts";
import { scoreText } from "../generation/rules.ts";
import { GEN_FILES, type GenFileKind } from "../gens/layout.ts";
import { GensStore } from "../gens/store.ts";
import { getDraftParser } from "../parsing/draft-parsers.ts";
import { getEvaluationParser } from "../parsing/evaluation-parsers.ts";
import { getTaskRow } from "../tasks/task-table-reader.ts";
import type { TaskTableName } from "../tasks/task-tables.ts";

const STAGES: readonly Stage[] = ["draft", "essay", "evaluation"];
const TASK_TABLE: Record<Stage, TaskTableName> = {
  draft: "draft_generation_tasks",
  essay: "essay_generation_tasks",
  evaluation: "evaluation_tasks",
};
const RESPONSE_FILES: readonly GenFileKind[] = ["raw", "metadata", "parsed"];
/** Jinja2/nunjucks syntax a rendered prompt must not contain: `{{ x }}`, `{% tag %}`, `{# note #}`. */
const TEMPLATE_SYNTAX = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g;

let cachedStore: GensStore | undefined;

/** One store per data root: every check of every partition asks for it. */
function storeOf(root: string): GensStore {
  if (cachedStore?.dataRoot !== root) cachedStore = new GensStore(root);
  return cachedStore;
}

function genIdOf(ctx: CheckContext): string {
  if (ctx.partitionKey === undefined) throw new Error(`${ctx.assetKey} is checked per gen_id`);
  return ctx.partitionKey;
}

/** raw.txt, metadata.json and parsed.txt exist and are not empty. */
function filesPresent(stage: Stage): AssetCheckDefinition {
  return assetCheck({
    name: "files_present",
    asset: `${stage}_response`,
    description: "raw.txt, metadata.json and parsed.txt exist and are not empty",
    blocking: true,
    check: (ctx): CheckResult => {
      const store = storeOf(dataRoot());
      const genId = genIdOf(ctx);
      const bytes: Record<string, number | null> = {};
      // The directory is validated once (gen_id rules), then joined with each file name.
      const dir = store.dir(stage, genId);
      for (const kind of RESPONSE_FILES) {
        bytes[GEN_FILES[kind]] =
          statSync(path.join(dir, GEN_FILES[kind]), { throwIfNoEntry: false })?.size ?? null;
      }
      const bad = Object.entries(bytes).filter(([, size]) => !size);
      const description =
        bad.length === 0
          ? null
          : `${bad.map(([file, size]) => `${file} ${size === null ? "missing" : "empty"}`).join(", ")} in ${displayPath(dir)}`;
      return { passed: bad.length === 0, metadata: { bytes }, ...(description ? { description } : {}) };
    },
  });
}

/** What the generation's parser makes of raw.txt; undefined for a copy (no parser ran). */
function expectedParsed(stage: Stage, mode: unknown, parserName: string, raw: string): string | undefined {
  if (mode === "copy") return undefined;
  if (stage === "draft") return getDraftParser(parserName)(raw);
  if (stage === "evaluation") return scoreText(getEvaluationParser(parserName)(raw));
  return raw;
}

/** parsed.txt is what the parser named in metadata.json makes of raw.txt. */
function parsedMatchesParser(stage: Stage): AssetCheckDefinition {
  return assetCheck({
    name: "parsed_matches_parser",
    asset: `${stage}_response`,
    description: "parsed.txt is what the generation's parser (metadata.json parser_name) makes of raw.txt",
    blocking: true,
    check: async (ctx): Promise<CheckResult> => {
      const store = storeOf(dataRoot());
      const genId = genIdOf(ctx);
      // Small files just written (in the page cache): a synchronous read costs the event loop
      // less than the promise machinery of an asynchronous one.
      const dir = store.dir(stage, genId);
      const metadata = JSON.parse(readFileSync(path.join(dir, GEN_FILES.metadata), "utf8")) as Record<
        string,
        unknown
      >;
      const raw = readFileSync(path.join(dir, GEN_FILES.raw), "utf8");
      const parsed = String(await ctx.loadValue());
      const parser = String(metadata.parser_name ?? "");
      let expected: string | undefined;
      try {
        expected = expectedParsed(stage, metadata.mode, parser, raw);
      } catch (err) {
        return {
          passed: false,
          description: `parser ${parser || "identity"} rejects raw.txt: ${(err as Error).message}`,
          metadata: { parser },
        };
      }
      if (expected === undefined) return { passed: true, description: "a copy of its parent: no parser ran" };
      const passed = expected === parsed;
      return {
        passed,
        metadata: { parser: parser || "identity" },
        ...(passed
          ? {}
          : { description: `parsed.txt differs from what parser ${parser || "identity"} makes of raw.txt` }),
      };
    },
  });
}

/** An evaluation's parsed.txt is a number from 0 to 10. */
const scoreInRange = assetCheck({
  name: "score_in_range",
  asset: "evaluation_response",
  description: "parsed.txt is a score from 0 to 10",
  check: async (ctx): Promise<CheckResult> => {
    const text = String(await ctx.loadValue()).trim();
    const score = text === "" ? Number.NaN : Number(text);
    const passed = Number.isFinite(score) && score >= 0 && score <= 10;
    return {
      passed,
      metadata: { score: Number.isFinite(score) ? score : text },
      ...(passed ? {} : { description: `score ${JSON.stringify(text)} is not a number from 0 to 10` }),
    };
  },
});

const TEMPLATE_COLUMN: Record<Stage, string> = {
  draft: "draft_template",
  essay: "essay_template",
  evaluation: "evaluation_template",
};

/** The template source a generation's prompt was rendered from; undefined for a copy essay's. */
function templateSource(stage: Stage, genId: string): string | undefined {
  const root = dataRoot();
  const row = getTaskRow(root, TASK_TABLE[stage], genId) as Record<string, string>;
  const file = templateFilePath(root, stage, row[TEMPLATE_COLUMN[stage]]);
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" && stage === "essay") return undefined;
    throw err;
  }
}

/**
 * prompt.txt holds no `{{ }}`, `{% %}` or `{# #}` of its template's own source: syntax the
 * template left unrendered (a raw block, say). Text that only looks like syntax but came in
 * through a variable (a concept description quoting braces) is content, not a leftover.
 */
function promptRendered(stage: Stage): AssetCheckDefinition {
  return assetCheck({
    name: "no_template_syntax",
    asset: `${stage}_prompt`,
    description: "prompt.txt has none of its template's syntax ({{ }}, {% %}, {# #}) left unrendered",
    blocking: true,
    check: async (ctx): Promise<CheckResult> => {
      const prompt = String(await ctx.loadValue());
      const candidates = [...prompt.matchAll(TEMPLATE_SYNTAX)];
      if (candidates.length === 0) return { passed: true };
      const source = templateSource(stage, genIdOf(ctx));
      const found = source === undefined ? undefined : candidates.find((m) => source.includes(m[0]));
      if (found === undefined) return { passed: true };
      const excerpt = found[0].length > 60 ? `${found[0].slice(0, 57)}...` : found[0];
      return {
        passed: false,
        description: `unrendered template syntax ${JSON.stringify(excerpt)} at offset ${found.index}`,
        metadata: { offset: found.index ?? null },
      };
    },
  });
}

export const generationChecks: AssetCheckDefinition[] = [
  ...STAGES.map(promptRendered),
  ...STAGES.map(filesPresent),
  ...STAGES.map(parsedMatchesParser),
  scoreInRange,
];
