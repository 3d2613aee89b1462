/**
 * The per-partition code version of the prompt assets: the template file each generation's
 * task row names, by content hash. Editing `generation_templates/essay/x.txt` then makes
 * exactly the essay prompts rendered from x stale (and, through them, their responses and
 * evaluations), and no other.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import type { PartitionCodeVersion } from "@daydream/core";
import { dataRoot } from "../config/data-root.ts";
import { type Stage, templateFilePath } from "../config/paths.ts";
import { readTaskTable } from "../tasks/task-table-reader.ts";
import type { TaskTableName } from "../tasks/task-tables.ts";
import { FileCache } from "./file-cache.ts";

const hashes = new FileCache<string>();

/** Hex digits of the SHA-256 kept: enough to tell two versions of one template apart. */
const DIGITS = 12;

/** `<template_id>@<content hash>`, or `<template_id>@no-file` (a copy essay template has none). */
function templateVersion(root: string, stage: Stage, templateId: string): string {
  const file = templateFilePath(root, stage, templateId);
  const hash = hashes.get(file, () =>
    fs.existsSync(file)
      ? createHash("sha256").update(fs.readFileSync(file)).digest("hex").slice(0, DIGITS)
      : "no-file",
  );
  return `${templateId}@${hash}`;
}

/**
 * `partitionCodeVersions` of a `<stage>_prompt` asset whose task table names the template in
 * `column`. The task table is read once per call (a run or a staleness query).
 */
export function promptCodeVersions<T extends TaskTableName>(
  stage: Stage,
  table: T,
  column: string,
): () => PartitionCodeVersion {
  return () => {
    const root = dataRoot();
    const rows = readTaskTable(root, table).byGenId as Map<string, Record<string, string>>;
    return (genId) => {
      const row = rows.get(genId);
      return row === undefined ? undefined : templateVersion(root, stage, row[column]);
    };
  };
}
