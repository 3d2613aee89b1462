import fs from "node:fs";
import path from "node:path";
import { AssetsError } from "@daydream/core";

/** The data root (DD_DATA_ROOT, or ./data) does not exist or is not a directory. */
export class DataRootError extends AssetsError {}

/**
 * Where the data root is: `DD_DATA_ROOT` resolved against the current directory, else
 * `<cwd>/data`. Pure path resolution; dataRoot() is what the assets call.
 */
export function resolveDataRoot(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const configured = env.DD_DATA_ROOT?.trim();
  return path.resolve(cwd, configured ? configured : "data");
}

// Roots already seen to be directories: dataRoot() runs once per partition in `--missing`
// planning, where a stat per call would cost seconds over 850,000 partitions.
const existingRoots = new Set<string>();

/**
 * The data root every asset of the package reads and writes under (see resolveDataRoot),
 * read at use time (not at import) so the CLI's project config and tests can point it
 * elsewhere per run. Fails when it does not exist: every raw input lives under it, and
 * "draft_templates.csv: file not found" would send the user after the wrong file.
 */
export function dataRoot(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const root = resolveDataRoot(env, cwd);
  if (existingRoots.has(root)) return root;
  const stat = fs.statSync(root, { throwIfNoEntry: false });
  if (stat?.isDirectory()) {
    existingRoots.add(root);
    return root;
  }
  const configured = env.DD_DATA_ROOT?.trim();
  const from = configured
    ? `DD_DATA_ROOT=${configured}`
    : "DD_DATA_ROOT is not set, so the default ./data is used";
  throw new DataRootError(
    "DATA_ROOT_MISSING",
    `the data root ${root} ${stat ? "is not a directory" : "does not exist"} (${from})`,
    {
      context: { data_root: root, DD_DATA_ROOT: configured },
      hint:
        "set DD_DATA_ROOT (in the shell, or under env: in assets.yaml) to the directory that holds " +
        `1_raw/, or create ${root} with the raw inputs (see docs/cohorts.md)`,
    },
  );
}

/** A path for messages: relative to the current directory when it lies below it. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}
