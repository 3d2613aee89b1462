/**
 * Names that become paths: cohort ids and gen_ids follow the partition-key rule of
 * @daydream/core (the CLI and the pipeline apply the same function, so an id is valid
 * everywhere or refused everywhere with the same message), stages are a fixed list, and
 * a path built from them is checked to stay inside the data root (a symlink cannot lead
 * the server elsewhere).
 */
import { realpathSync } from "node:fs";
import path from "node:path";
import { PartitionError, validatePartitionKey } from "@daydream/core";
import { badRequest } from "../errors.ts";

export const STAGES = ["draft", "essay", "evaluation"] as const;
export type Stage = (typeof STAGES)[number];

/** The files a generation directory holds (existing-system.md). */
export const GEN_FILES = ["prompt.txt", "raw.txt", "parsed.txt", "metadata.json"] as const;
export type GenFile = (typeof GEN_FILES)[number];

/** Whether a directory under data/cohorts is named like a cohort the pipeline could have written. */
export function isCohortIdName(value: string): boolean {
  try {
    validatePartitionKey(value, { what: "cohort id" });
    return true;
  } catch (err) {
    // Only the rule's verdict is an answer here; anything else is a bug to surface.
    if (err instanceof PartitionError) return false;
    throw err;
  }
}

/** The id, or a 400 whose message is the rule's own (PartitionError is a user error). */
export function checkCohortId(id: string): string {
  validatePartitionKey(id, { what: "cohort id" });
  return id;
}

export function checkGenId(id: string): string {
  validatePartitionKey(id, { what: "gen_id" });
  return id;
}

export function checkStage(stage: string): Stage {
  if (!(STAGES as readonly string[]).includes(stage)) {
    throw badRequest(`unknown stage "${stage}"`, {
      context: { stage },
      hint: `use one of ${STAGES.join(", ")}`,
    });
  }
  return stage as Stage;
}

export function checkGenFile(file: string): GenFile {
  if (!(GEN_FILES as readonly string[]).includes(file)) {
    throw badRequest(`unknown generation file "${file}"`, {
      context: { file },
      hint: `use one of ${GEN_FILES.join(", ")}`,
    });
  }
  return file as GenFile;
}

/** `file` resolved through symlinks, if it exists and stays under `root`; undefined when it does not exist. */
export function containedRealPath(root: string, file: string): string | undefined {
  let real: string;
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
    real = realpathSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  if (!real.startsWith(realRoot + path.sep)) {
    throw badRequest(`path ${file} leads outside the data root`, {
      context: { file },
      hint: "generation directories must not be symlinks to other places",
    });
  }
  return real;
}
