/**
 * What a command works on: the project (from assets.yaml and the global flags),
 * its definitions module and its instance. Each piece is loaded only when the
 * command asks for it, so commands that need only the instance stay fast.
 */
import { type Definitions, type Instance, loadDefinitions, openInstance } from "@daydream/core";
import { type Project, resolveProject } from "./project-config.ts";

export interface GlobalOptions {
  definitions?: string;
  verbose?: boolean;
}

export function projectFor(globals: GlobalOptions): Project {
  return resolveProject({ cwd: process.cwd(), definitions: globals.definitions });
}

export function loadProjectDefinitions(project: Project): Promise<Definitions> {
  return loadDefinitions(project.definitionsPath);
}

/** Opens the instance, runs `fn` and closes the instance whatever happens. */
export async function withInstance<T>(
  project: Project,
  fn: (instance: Instance) => T | Promise<T>,
): Promise<T> {
  const instance = openInstance(project.home);
  try {
    return await fn(instance);
  } finally {
    instance.close();
  }
}
