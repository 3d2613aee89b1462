/** `assets wipe KEY [--partition K] --yes`: forget materialization records (user files stay). */
import { PartitionError } from "@daydream/core";
import type { Command } from "commander";
import { globalsOf } from "../action.ts";
import { requireAsset } from "../asset-info.ts";
import { EXIT_OK, UsageError } from "../errors.ts";
import { plural, stepLabel } from "../output/format.ts";
import { printJson } from "../output/json.ts";
import { loadProjectDefinitions, projectFor, withInstance } from "../session.ts";

export async function runWipe(
  key: string,
  opts: { partition?: string; yes?: boolean; json?: boolean },
  cmd: Command,
): Promise<number> {
  const project = projectFor(globalsOf(cmd));
  const defs = await loadProjectDefinitions(project);
  const def = requireAsset(defs, key);
  if (opts.partition !== undefined && def.partitions === undefined) {
    throw new PartitionError("PARTITION_FOR_UNPARTITIONED", `asset "${key}" is not partitioned`, {
      context: { asset: key, partition: opts.partition },
      hint: `drop --partition: \`assets wipe ${key} --yes\``,
    });
  }
  const target = stepLabel(key, opts.partition);
  if (!opts.yes) {
    throw new UsageError(`refusing to wipe the materialization records of ${target} without --yes`, {
      context: { asset: key, partition: opts.partition },
      hint: "add --yes to confirm (files written by the asset are not deleted)",
    });
  }
  const removed = await withInstance(project, (instance) =>
    instance.storage.wipeAssetPartitionStates(key, opts.partition),
  );
  if (opts.json) printJson({ asset: key, partition: opts.partition ?? null, removed });
  else
    process.stdout.write(
      `Wiped ${plural(removed, "materialization record")} of ${target}; files are untouched.\n`,
    );
  return EXIT_OK;
}
