/**
 * Names that become paths: cohort ids, stages and gen_ids are checked against
 * strict patterns before they are joined to the data root, and the result is
 * checked to stay inside it (a symlink cannot lead the server elsewhere).
 */
import { realpathSync } from "node:fs";
import path from "node:path";
import { badRequest } from "../errors.ts";

export const STAGES = ["draft", "essay", "evaluation"] as const;
export type Stage = (typeof STAGES)[number];

/** The files a generation directory holds (existing-system.md). */
export const GEN_FILES = ["prompt.txt", "raw.txt", "parsed.txt", "metadata.json"] as const;
export type GenFile = (typeof GEN_FILES)[number];

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isSafeName(value: string): boolean {
  return SAFE_NAME.test(value) && !value.includes("..");
}

function checkName(kind: string, value: string, hint: string): string {
  if (!isSafeName(value)) {
    throw badRequest(`invalid ${kind} "${value}"`, { context: { [kind]: value }, hint });
  }
  return value;
}

export function checkCohortId(id: string): string {
  return checkName("cohort", id, "cohort ids are directory names under data/cohorts: letters, digits, . _ -");
}

export function checkGenId(id: string): string {
  return checkName("gen_id", id, "gen_ids are letters, digits, _ and - (e.g. 1hx4p8q9z2k1v0sj)");
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
