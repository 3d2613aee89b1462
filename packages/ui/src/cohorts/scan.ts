/**
 * One pass over a cohort's generations in the gens store: which have a
 * parsed.txt (the store is the truth about whether a generation exists), and
 * the score each evaluation's parsed.txt holds.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Stage } from "./ids.ts";
import type { MemberRow } from "./membership.ts";

export interface GensScan {
  done: Record<Stage, Set<string>>;
  /** Evaluation gen_id -> score (0-10). */
  scores: Map<string, number>;
  /** Evaluations whose parsed.txt is not a number: gen_id -> first characters. */
  invalidScores: Map<string, string>;
}

export function genDir(dataRoot: string, stage: Stage, genId: string): string {
  return path.join(dataRoot, "gens", stage, genId);
}

export function scanGens(dataRoot: string, rows: MemberRow[]): GensScan {
  const scan: GensScan = {
    done: { draft: new Set(), essay: new Set(), evaluation: new Set() },
    scores: new Map(),
    invalidScores: new Map(),
  };
  for (const row of rows) {
    const parsed = path.join(genDir(dataRoot, row.stage, row.genId), "parsed.txt");
    if (row.stage !== "evaluation") {
      if (existsSync(parsed)) scan.done[row.stage].add(row.genId);
      continue;
    }
    const text = readIfExists(parsed);
    if (text === undefined) continue;
    scan.done.evaluation.add(row.genId);
    const score = Number(text.trim());
    if (text.trim() !== "" && Number.isFinite(score)) scan.scores.set(row.genId, score);
    else scan.invalidScores.set(row.genId, text.slice(0, 80));
  }
  return scan;
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}
