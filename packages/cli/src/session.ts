/**
 * What a command works on: the project (from assets.yaml and the global flags),
 * its definitions module and its instance. Each piece is loaded only when the
 * command asks for it, so commands that need only the instance stay fast.
 */
import path from "node:path";
import { type Definitions, type Instance, loadDefinitions, openInstance } from "@daydream/core";
import { type Project, resolveProject } from "./project-config.ts";

export interface GlobalOptions {
  definitions?: string;
  verbose?: boolean;
}

export function projectFor(globals: GlobalOptions): Project {
  return resolveProject({ cwd: process.cwd(), definitions: globals.definitions });
}

/** Set by bin/assets.js: definitions source path -> path of its prebuilt module. */
const PREBUILT = Symbol.for("daydream.assets.prebuilt");
const TS_LOADER = Symbol.for("daydream.assets.tsLoader");
type Globals = { [PREBUILT]?: Record<string, string>; [TS_LOADER]?: boolean };

/**
 * Registers tsx so that TypeScript modules can be imported. The prebuilt CLI
 * runs without it and pays its start-up cost only when a command needs it.
 */
export async function ensureTypeScriptLoader(): Promise<void> {
  const globals = globalThis as Globals;
  if (globals[TS_LOADER] || globals[PREBUILT] === undefined) return;
  const { register } = await import("tsx/esm/api");
  register();
  globals[TS_LOADER] = true;
}

export async function loadProjectDefinitions(project: Project): Promise<Definitions> {
  const prebuilt = (globalThis as Globals)[PREBUILT]?.[path.resolve(project.definitionsPath)];
  if (prebuilt !== undefined) return loadDefinitions(prebuilt);
  if (/\.[cm]?tsx?$/.test(project.definitionsPath)) await ensureTypeScriptLoader();
  return loadDefinitions(project.definitionsPath);
}

/**
 * Opens the project's instance: run logs under its home, records in SQLite there or in the
 * PostgreSQL database ASSETS_STORAGE names (loaded only then, so SQLite users never load pg).
 */
export async function openProjectInstance(project: Project): Promise<Instance> {
  if (project.storage.kind === "sqlite") return openInstance(project.home);
  const { PostgresStorage } = await import("@daydream/postgres");
  return openInstance(project.home, { storage: new PostgresStorage(project.storage.url) });
}

/**
 * The instance an `assets worker` records steps with: on PostgreSQL, a storage whose every
 * append also settles the queued steps it finishes (`openQueueStorage`). SQLite opens as usual,
 * for the worker to refuse it with the queue's own error.
 */
export async function openWorkerInstance(project: Project): Promise<Instance> {
  if (project.storage.kind === "sqlite") return openInstance(project.home);
  const { openQueueStorage } = await import("@daydream/queue");
  return openInstance(project.home, { storage: openQueueStorage(project.storage.url) });
}

/**
 * The data root (DD_DATA_ROOT, made absolute from assets.yaml) that every machine of the queue
 * executor must share: the queue checks it by a marker file before any step runs there.
 */
export function sharedDataRoot(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const root = env.DD_DATA_ROOT;
  return root === undefined || root === "" ? undefined : path.resolve(root);
}

/** Opens the instance, runs `fn` and closes the instance whatever happens. */
export async function withInstance<T>(
  project: Project,
  fn: (instance: Instance) => T | Promise<T>,
): Promise<T> {
  const instance = await openProjectInstance(project);
  try {
    return await fn(instance);
  } finally {
    instance.close();
  }
}
