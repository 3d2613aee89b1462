/**
 * The run config file given to `materialize --config FILE.yaml`:
 *   assets:
 *     cohort_id:
 *       override: my-cohort
 * The CLI reads the YAML; the engine checks its shape against the definitions
 * and each asset's configSchema. Errors from either name the file.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { type RunConfig, RunConfigError } from "@daydream/core";
import { parse as parseYaml } from "yaml";
import { UsageError } from "./errors.ts";

export function readRunConfig(file: string): { file: string; config: RunConfig } {
  const fullPath = path.resolve(file);
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(fullPath, "utf8"));
  } catch (cause) {
    throw new UsageError(`cannot read run config: ${(cause as Error).message}`, {
      context: { file: fullPath },
      hint: "give a YAML file shaped like\n    assets:\n      <asset_key>:\n        <field>: <value>",
      cause,
    });
  }
  // an empty file is an empty config; anything else goes to the engine's checks as written
  return { file: fullPath, config: (doc ?? {}) as RunConfig };
}

/** Adds the config file to the context of an error the engine raised about the run config. */
export function withRunConfigFile(err: unknown, file: string | undefined): unknown {
  if (file === undefined || !(err instanceof RunConfigError)) return err;
  return new RunConfigError(err.code, err.message, {
    context: { ...err.context, file },
    hint: err.hint,
    cause: err,
    userError: err.userError,
  });
}
