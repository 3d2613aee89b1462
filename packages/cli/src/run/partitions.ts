/** `assets partitions list|count|add|delete NAME [KEYS...]`: dynamic partition keys in the instance. */
import { type Definitions, type Instance, PartitionError, validatePartitionKey } from "@daydream/core";
import type { Command } from "commander";
import { globalsOf } from "../action.ts";
import { EXIT_OK, UsageError } from "../errors.ts";
import { readKeysFile } from "../keys-input.ts";
import { paintOut } from "../output/colors.ts";
import { plural } from "../output/format.ts";
import { printJson } from "../output/json.ts";
import { renderTable } from "../output/table.ts";
import { loadProjectDefinitions, projectFor, withInstance } from "../session.ts";
import { suggestionHint } from "../suggest.ts";

interface KeysOptions {
  file?: string;
  json?: boolean;
}

/** Partitions definition name -> keys of the assets partitioned by it. */
function declaredPartitions(defs: Definitions): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const def of defs.assets.values()) {
    if (def.partitions === undefined) continue;
    const users = byName.get(def.partitions.name) ?? [];
    users.push(def.key);
    byName.set(def.partitions.name, users);
  }
  return byName;
}

/** Known names: declared by the definitions, or (except for add) already holding keys in the instance. */
function requireName(name: string, defs: Definitions, instance: Instance, allowStoredOnly: boolean): void {
  const declared = declaredPartitions(defs);
  if (declared.has(name)) return;
  const stored = instance.storage.listDynamicPartitionsDefinitions().map((d) => d.name);
  if (allowStoredOnly && stored.includes(name)) return;
  const candidates = [...new Set([...declared.keys(), ...(allowStoredOnly ? stored : [])])];
  throw new PartitionError("UNKNOWN_PARTITIONS_DEFINITION", `unknown partitions definition "${name}"`, {
    context: { partitions: name },
    hint: `${suggestionHint(name, candidates, "partitions definition")} (see \`assets partitions list\`)`,
  });
}

function keysFrom(name: string, args: string[], opts: KeysOptions, verb: string): string[] {
  const keys = [...args, ...(opts.file === undefined ? [] : readKeysFile(opts.file, "--file"))];
  if (keys.length === 0) {
    throw new UsageError(`no partition keys to ${verb}`, {
      hint: 'give keys as arguments or with --file FILE (one per line, "-" for stdin)',
    });
  }
  for (const [index, key] of keys.entries()) validatePartitionKey(key, { index, partitions: name });
  return keys;
}

async function withProject<T>(cmd: Command, fn: (defs: Definitions, instance: Instance) => T): Promise<T> {
  const project = projectFor(globalsOf(cmd));
  const defs = await loadProjectDefinitions(project);
  return withInstance(project, (instance) => fn(defs, instance));
}

export async function runPartitionsList(
  name: string | undefined,
  opts: { limit?: number; offset?: number; json?: boolean },
  cmd: Command,
): Promise<number> {
  return withProject(cmd, (defs, instance) => {
    if (name === undefined) {
      const declared = declaredPartitions(defs);
      const counts = new Map(
        instance.storage.listDynamicPartitionsDefinitions().map((d) => [d.name, d.count]),
      );
      const names = [...new Set([...declared.keys(), ...counts.keys()])].sort();
      const rows = names.map((n) => ({ name: n, count: counts.get(n) ?? 0, assets: declared.get(n) ?? [] }));
      if (opts.json) printJson(rows);
      else if (rows.length === 0) process.stdout.write("No partitions definitions.\n");
      else {
        const table = rows.map((r) => [
          r.name,
          String(r.count),
          r.assets.join(",") || "(not in definitions)",
        ]);
        process.stdout.write(renderTable(["NAME", "KEYS", "ASSETS"], table, paintOut));
      }
      return EXIT_OK;
    }
    requireName(name, defs, instance, true);
    const keys = instance.getDynamicPartitions(name, { offset: opts.offset, limit: opts.limit });
    if (opts.json) printJson(keys);
    else if (keys.length > 0) process.stdout.write(`${keys.join("\n")}\n`);
    return EXIT_OK;
  });
}

export async function runPartitionsCount(
  name: string,
  opts: { json?: boolean },
  cmd: Command,
): Promise<number> {
  return withProject(cmd, (defs, instance) => {
    requireName(name, defs, instance, true);
    const count = instance.countDynamicPartitions(name);
    if (opts.json) printJson({ name, count });
    else process.stdout.write(`${count}\n`);
    return EXIT_OK;
  });
}

export async function runPartitionsAdd(
  name: string,
  args: string[],
  opts: KeysOptions,
  cmd: Command,
): Promise<number> {
  const keys = keysFrom(name, args, opts, "add");
  return withProject(cmd, (defs, instance) => {
    requireName(name, defs, instance, false);
    const added = instance.addDynamicPartitions(name, keys);
    const total = instance.countDynamicPartitions(name);
    if (opts.json) printJson({ name, requested: keys.length, added, total });
    else {
      process.stdout.write(
        `Added ${plural(added, "new key")} to ${name} ` +
          `(${keys.length - added} already registered or repeated; ${total} in total).\n`,
      );
    }
    return EXIT_OK;
  });
}

export async function runPartitionsDelete(
  name: string,
  args: string[],
  opts: KeysOptions & { yes?: boolean },
  cmd: Command,
): Promise<number> {
  const keys = keysFrom(name, args, opts, "delete");
  if (!opts.yes) {
    throw new UsageError(
      `refusing to delete ${plural(keys.length, "partition key")} from ${name} without --yes`,
      {
        context: { partitions: name },
        hint: "add --yes to confirm (materialization records of those keys are kept)",
      },
    );
  }
  return withProject(cmd, (defs, instance) => {
    requireName(name, defs, instance, true);
    const deleted = instance.deleteDynamicPartitions(name, keys);
    const total = instance.countDynamicPartitions(name);
    if (opts.json) printJson({ name, requested: keys.length, deleted, total });
    else process.stdout.write(`Deleted ${plural(deleted, "key")} from ${name} (${total} left).\n`);
    return EXIT_OK;
  });
}
