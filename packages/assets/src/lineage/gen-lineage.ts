/**
 * Generation lineage from the task tables (projected from the membership): which draft an
 * essay descends from and which essay an evaluation scores, as core partition mappings, and
 * what `assets lineage` shows of each generation (template, model, directory, files).
 */
import fs from "node:fs";
import { type Metadata, type PartitionLookup, type PartitionMapping, partitionMapping } from "@daydream/core";
import { dataRoot, displayPath } from "../config/data-root.ts";
import type { Stage } from "../config/paths.ts";
import { GEN_FILES } from "../gens/layout.ts";
import { GensStore } from "../gens/store.ts";
import { readTaskTable, TaskTableError } from "../tasks/task-table-reader.ts";
import type { TaskTableName } from "../tasks/task-tables.ts";

const TABLE_OF: Record<Stage, TaskTableName> = {
  draft: "draft_generation_tasks",
  essay: "essay_generation_tasks",
  evaluation: "evaluation_tasks",
};

/** The stage's task rows by gen_id; undefined while its task table has not been materialized. */
function rowsOf(stage: Stage): ReadonlyMap<string, Readonly<Record<string, string>>> | undefined {
  try {
    return readTaskTable(dataRoot(), TABLE_OF[stage]).byGenId as ReadonlyMap<string, Record<string, string>>;
  } catch (err) {
    if (err instanceof TaskTableError && err.code === "TASK_TABLE_MISSING") return undefined;
    throw err;
  }
}

/**
 * `<stage>[X]` depends on its parent generation `parent_gen_id(X)`. Without the task table, or
 * for a gen_id not in it, the mapping cannot tell (the plan then waits for every parent step).
 */
export function parentMapping(stage: "essay" | "evaluation"): PartitionMapping {
  return partitionMapping((): PartitionLookup => {
    const rows = rowsOf(stage);
    return (genId) => {
      const parent = rows?.get(genId)?.parent_gen_id;
      return parent === undefined || parent === "" ? undefined : [parent];
    };
  });
}

function templateAndModel(
  stage: Stage,
  row: Readonly<Record<string, string>>,
): { template: string; model: string } {
  if (stage === "draft") return { template: row.draft_template, model: row.generation_model };
  if (stage === "essay") return { template: row.essay_template, model: row.generation_model };
  return { template: row.evaluation_template, model: row.evaluation_model };
}

/** Names in a generation directory; none when it does not exist yet. */
function filesIn(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

/** What `assets lineage` shows of a generation: template, model, its directory and the files in it. */
export function describeGenerations(stage: Stage): (genId: string) => Metadata | undefined {
  const rows = rowsOf(stage);
  const store = new GensStore(dataRoot());
  return (genId) => {
    const row = rows?.get(genId);
    const dir = store.dir(stage, genId);
    const present = new Set(filesIn(dir));
    return {
      ...(row ? templateAndModel(stage, row) : {}),
      dir: displayPath(dir),
      files: Object.values(GEN_FILES).filter((f) => present.has(f)),
    };
  };
}
