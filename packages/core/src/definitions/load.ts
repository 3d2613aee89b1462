import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { AssetsError, DefinitionError } from "../errors.ts";
import { isDefinitions } from "./define.ts";
import type { Definitions } from "./types.ts";

const EXPORT_HINT = "end the module with `export default defineDefinitions({ assets: [...] })`";

function describeExport(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object")
    return `an object with keys ${Object.keys(value).slice(0, 5).join(", ") || "(none)"}`;
  return typeof value;
}

/**
 * Imports a definitions module (.ts through tsx or vitest, or .js/.mjs) and returns its
 * default export. Relative paths resolve against the current directory.
 */
export async function loadDefinitions(file: string): Promise<Definitions> {
  const absolute = path.resolve(file);
  const stat = fs.statSync(absolute, { throwIfNoEntry: false });
  if (!stat?.isFile()) {
    throw new DefinitionError(
      "DEFINITIONS_NOT_FOUND",
      stat ? `definitions module ${absolute} is not a file` : `definitions module not found: ${absolute}`,
      {
        context: { file: absolute },
        hint: "check the path (the `definitions:` entry of assets.yaml, or -f FILE) points at a .ts or .js module",
      },
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(absolute).href);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const inner = cause instanceof AssetsError ? cause : undefined;
    throw new DefinitionError(
      "DEFINITIONS_LOAD_FAILED",
      `definitions module ${absolute} failed to load: ${reason}`,
      {
        context: { ...inner?.context, file: absolute },
        hint:
          inner?.hint ??
          `fix the error raised while importing the module (run \`npx tsx ${path.relative(process.cwd(), absolute)}\` for the full stack)`,
        cause,
      },
    );
  }
  if (!("default" in mod)) {
    throw new DefinitionError(
      "DEFINITIONS_NO_DEFAULT",
      `definitions module ${absolute} has no default export`,
      {
        context: { file: absolute },
        hint: EXPORT_HINT,
      },
    );
  }
  if (!isDefinitions(mod.default)) {
    throw new DefinitionError(
      "DEFINITIONS_BAD_EXPORT",
      `the default export of ${absolute} is not a Definitions object (got ${describeExport(mod.default)})`,
      { context: { file: absolute }, hint: EXPORT_HINT },
    );
  }
  return mod.default;
}
