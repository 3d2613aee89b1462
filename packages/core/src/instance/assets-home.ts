import path from "node:path";

/**
 * Where the instance lives, as an absolute path: `$ASSETS_HOME` when set
 * (relative values resolve against the current directory, as a shell user
 * expects), else `configuredHome` (e.g. `home:` in assets.yaml, relative to
 * the project root), else `<projectRoot>/.assets`.
 */
export function resolveAssetsHome(
  projectRoot: string,
  env: NodeJS.ProcessEnv = process.env,
  configuredHome?: string,
): string {
  const fromEnv = env.ASSETS_HOME;
  if (fromEnv !== undefined && fromEnv.trim() !== "") return path.resolve(fromEnv);
  const root = path.resolve(projectRoot);
  if (configuredHome !== undefined && configuredHome.trim() !== "") return path.resolve(root, configuredHome);
  return path.join(root, ".assets");
}
