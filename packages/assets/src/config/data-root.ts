import path from "node:path";

/**
 * The data root every asset of the package reads and writes under: `DD_DATA_ROOT`
 * resolved against the current directory, else `<cwd>/data`. Read at use time (not at
 * import) so the CLI's project config and tests can point it elsewhere per run.
 */
export function dataRoot(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const configured = env.DD_DATA_ROOT?.trim();
  return path.resolve(cwd, configured ? configured : "data");
}

/** A path for messages: relative to the current directory when it lies below it. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}
