/**
 * The project config file `assets.yaml`: found in the working directory or its
 * nearest ancestor, it names the default definitions module, the instance home,
 * the instance storage, the executor of `materialize` and default values for environment variables.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { ProjectConfigError, UsageError } from "./errors.ts";

export const PROJECT_CONFIG_FILE = "assets.yaml";
const KNOWN_FIELDS = ["definitions", "home", "storage", "executor", "env"] as const;
/** Where `materialize` runs its steps: in its own process, or by `assets worker` processes. */
export const EXECUTORS = ["in-process", "queue"] as const;
export type ExecutorName = (typeof EXECUTORS)[number];
/** Env vars holding paths: a relative default from assets.yaml is resolved against the project root. */
const PATH_ENV_VARS = new Set(["DD_DATA_ROOT"]);

export interface ProjectConfig {
  /** Absolute path of assets.yaml. */
  file: string;
  definitions?: string;
  home?: string;
  /** `sqlite`, or a postgres:// URL. */
  storage?: string;
  /** `materialize`'s default executor (--executor wins). */
  executor?: ExecutorName;
  env: Record<string, string>;
}

/** Where runs, events, partitions and claims are recorded. */
export type StorageSetting =
  | { kind: "sqlite" }
  /** `url` holds the password: print `masked` only. */
  | { kind: "postgres"; url: string; masked: string };

export interface Project {
  /** Directory holding assets.yaml (the working directory when there is none). */
  root: string;
  config: ProjectConfig | undefined;
  /** Absolute path of the definitions module. */
  definitionsPath: string;
  /** Absolute path of the instance home ($ASSETS_HOME): SQLite database (by default) and run logs. */
  home: string;
  /** ASSETS_STORAGE, else `storage:` in assets.yaml, else SQLite. */
  storage: StorageSetting;
}

/** Returns the path of the nearest assets.yaml at or above `dir`, if any. */
export function findProjectConfig(dir: string): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    const candidate = path.join(current, PROJECT_CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

export function readProjectConfig(file: string): ProjectConfig {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new ProjectConfigError(`cannot read ${PROJECT_CONFIG_FILE}: ${(cause as Error).message}`, {
      context: { file },
      hint: "fix the YAML syntax; see the README for the expected fields",
      cause,
    });
  }
  if (doc === null || doc === undefined) return { file, env: {} };
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new ProjectConfigError(`${PROJECT_CONFIG_FILE} must be a mapping`, {
      context: { file },
      hint: `write fields such as "definitions: path/to/definitions.ts"`,
    });
  }
  const fields = doc as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!(KNOWN_FIELDS as readonly string[]).includes(key)) {
      throw new ProjectConfigError(`unknown field "${key}" in ${PROJECT_CONFIG_FILE}`, {
        context: { file, key },
        hint: `known fields: ${KNOWN_FIELDS.join(", ")}`,
      });
    }
  }
  return {
    file,
    definitions: optionalString(fields, "definitions", file),
    home: optionalString(fields, "home", file),
    storage: optionalString(fields, "storage", file),
    executor: executorField(fields, file),
    env: envDefaults(fields.env, file),
  };
}

function optionalString(fields: Record<string, unknown>, key: string, file: string): string | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value === "") {
    throw new ProjectConfigError(`"${key}" in ${PROJECT_CONFIG_FILE} must be a non-empty string`, {
      context: { file, key },
      hint:
        key === "storage"
          ? "write sqlite, or a URL such as postgres://user@host:5432/dbname"
          : `write it as a path, e.g. ${key}: ${key === "home" ? ".assets" : "src/definitions.ts"}`,
    });
  }
  return value;
}

function executorField(fields: Record<string, unknown>, file: string): ExecutorName | undefined {
  const value = fields.executor;
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && (EXECUTORS as readonly string[]).includes(value)) {
    return value as ExecutorName;
  }
  throw new ProjectConfigError(
    `"executor" in ${PROJECT_CONFIG_FILE} is ${JSON.stringify(value)}: expected ${EXECUTORS.join(" or ")}`,
    {
      context: { file, key: "executor" },
      hint: "write executor: queue to have `assets worker` processes run materialize's steps (the instance must be on PostgreSQL), or leave it out",
    },
  );
}

function envDefaults(value: unknown, file: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ProjectConfigError(
      `"env" in ${PROJECT_CONFIG_FILE} must be a mapping of variable names to values`,
      {
        context: { file, key: "env" },
        hint: "write e.g.\n    env:\n      DD_LLM: offline",
      },
    );
  }
  const env: Record<string, string> = {};
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") {
      throw new ProjectConfigError(
        `env.${name} in ${PROJECT_CONFIG_FILE} must be a string, number or boolean`,
        {
          context: { file, key: `env.${name}` },
          hint: "quote the value",
        },
      );
    }
    env[name] = String(raw);
  }
  return env;
}

/**
 * Sets every env default from the config that the real environment does not
 * already set (the real environment wins). Path variables are made absolute
 * against the project root so that they do not depend on the working directory.
 */
export function applyEnvDefaults(
  config: ProjectConfig,
  root: string,
  env: NodeJS.ProcessEnv = process.env,
): void {
  for (const [name, value] of Object.entries(config.env)) {
    if (env[name] !== undefined) continue;
    env[name] = PATH_ENV_VARS.has(name) ? path.resolve(root, value) : value;
  }
}

/**
 * Works out the project from the working directory and the global flags.
 * `-f` is resolved against the working directory (the user typed it there);
 * paths in assets.yaml against the directory that holds it.
 */
export function resolveProject(
  opts: { cwd: string; definitions?: string },
  env: NodeJS.ProcessEnv = process.env,
): Project {
  const configFile = findProjectConfig(opts.cwd);
  const config = configFile === undefined ? undefined : readProjectConfig(configFile);
  const root = configFile === undefined ? path.resolve(opts.cwd) : path.dirname(configFile);
  if (config) applyEnvDefaults(config, root, env);

  let definitionsPath: string;
  if (opts.definitions !== undefined) {
    definitionsPath = path.resolve(opts.cwd, opts.definitions);
  } else if (config?.definitions !== undefined) {
    definitionsPath = path.resolve(root, config.definitions);
  } else {
    throw new UsageError("no definitions module to load", {
      context: { cwd: opts.cwd, config: configFile },
      hint: `pass -f path/to/definitions.ts, or add "definitions: <path>" to ${PROJECT_CONFIG_FILE} at the project root`,
    });
  }
  if (!existsSync(definitionsPath)) {
    throw new UsageError(`definitions module not found: ${definitionsPath}`, {
      context: { file: definitionsPath, config: opts.definitions === undefined ? configFile : undefined },
      hint:
        opts.definitions === undefined
          ? `fix "definitions" in ${configFile}`
          : "check the path given to -f/--definitions",
    });
  }

  const home =
    env.ASSETS_HOME !== undefined && env.ASSETS_HOME !== ""
      ? path.resolve(opts.cwd, env.ASSETS_HOME)
      : path.resolve(root, config?.home ?? ".assets");
  return { root, config, definitionsPath, home, storage: resolveStorage(env, config) };
}

/**
 * The storage setting: ASSETS_STORAGE wins over `storage:` in assets.yaml; neither means SQLite.
 * A value that is neither `sqlite` nor a PostgreSQL URL is a usage error (its password masked).
 */
export function resolveStorage(env: NodeJS.ProcessEnv, config: ProjectConfig | undefined): StorageSetting {
  const fromEnv = env.ASSETS_STORAGE !== undefined && env.ASSETS_STORAGE.trim() !== "";
  const raw = (fromEnv ? env.ASSETS_STORAGE! : (config?.storage ?? "sqlite")).trim();
  const source = fromEnv ? "ASSETS_STORAGE" : `storage in ${config?.file}`;
  if (raw.toLowerCase() === "sqlite") return { kind: "sqlite" };
  if (/^postgres(ql)?:\/\//i.test(raw)) return { kind: "postgres", url: raw, masked: maskPassword(raw) };
  throw new UsageError(
    `${source} is ${JSON.stringify(maskPassword(raw))}: not a storage this version knows`,
    {
      context: { setting: source },
      hint: "use sqlite (the default, $ASSETS_HOME/instance.db) or a PostgreSQL URL: postgres://USER:PASSWORD@HOST:5432/DATABASE",
    },
  );
}

/** The URL with its password (if any) replaced by `***`. */
export function maskPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, "$1***@");
}

/**
 * The definitions module a command line would load, worked out without side
 * effects (no env defaults applied): `-f/--definitions` from argv, else
 * assets.yaml. Undefined when there is none. Used by bin/assets.js to decide
 * whether the prebuilt bundle, which contains the default definitions, fits.
 */
export function definitionsPathFor(argv: string[], cwd: string): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") break;
    if ((arg === "-f" || arg === "--definitions") && i + 1 < argv.length) {
      return path.resolve(cwd, argv[i + 1]!);
    }
    if (arg.startsWith("--definitions=")) return path.resolve(cwd, arg.slice("--definitions=".length));
    if (arg.startsWith("-f") && arg.length > 2 && !arg.startsWith("--"))
      return path.resolve(cwd, arg.slice(2));
  }
  const configFile = findProjectConfig(cwd);
  if (configFile === undefined) return undefined;
  const config = readProjectConfig(configFile);
  return config.definitions === undefined
    ? undefined
    : path.resolve(path.dirname(configFile), config.definitions);
}
