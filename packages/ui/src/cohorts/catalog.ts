/** The cohorts under data/cohorts: their cohort.yaml and membership, summarised. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { AssetsError } from "@daydream/core";
import { parse as parseYaml } from "yaml";
import { notFound, UiDataError } from "../errors.ts";
import { checkCohortId, isCohortIdName, STAGES, type Stage } from "./ids.ts";
import { type MemberRow, readMembership } from "./membership.ts";

export interface CohortInfo {
  id: string;
  /** cohort.yaml as written by the cohort_id asset (id, mode, artifact_reuse, notes, created_at...). */
  meta: Record<string, unknown> | null;
  hasMembership: boolean;
  membershipPath: string;
  membershipUpdatedAt: string | null;
  members: Record<Stage, number> | null;
  /** Why the membership could not be read (listing only; the cohort's own page answers with the error). */
  error: string | null;
}

export function cohortsDir(dataRoot: string): string {
  return path.join(dataRoot, "cohorts");
}

export function listCohorts(dataRoot: string): CohortInfo[] {
  const dir = cohortsDir(dataRoot);
  // No cohorts directory yet simply means no cohort was built.
  if (!existsSync(dir)) return [];
  const entries = readdirSync(dir, { withFileTypes: true, encoding: "utf8" }).filter(
    (entry) => entry.isDirectory() && isCohortIdName(entry.name),
  );
  return entries
    .map((entry) => listedCohort(dataRoot, entry.name))
    .sort(
      (a, b) =>
        (b.membershipUpdatedAt ?? "").localeCompare(a.membershipUpdatedAt ?? "") || a.id.localeCompare(b.id),
    );
}

/** One broken cohort must not hide the others: its entry carries the error instead. */
function listedCohort(dataRoot: string, id: string): CohortInfo {
  try {
    return cohortInfo(dataRoot, id);
  } catch (err) {
    if (!(err instanceof AssetsError)) throw err;
    const membershipPath = path.join(cohortsDir(dataRoot), id, "membership.csv");
    return {
      id,
      meta: null,
      hasMembership: existsSync(membershipPath),
      membershipPath,
      membershipUpdatedAt: null,
      members: null,
      error: err.message,
    };
  }
}

export function cohortInfo(dataRoot: string, id: string): CohortInfo {
  checkCohortId(id);
  const dir = path.join(cohortsDir(dataRoot), id);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw notFound(`cohort "${id}"`, {
      context: { cohort: id, dir },
      hint: "materialize cohort_id and cohort_membership to create it",
    });
  }
  const membershipPath = path.join(dir, "membership.csv");
  const stat = statSync(membershipPath, { throwIfNoEntry: false });
  const rows = stat === undefined ? undefined : readMembership(membershipPath);
  return {
    id,
    meta: readCohortYaml(path.join(dir, "cohort.yaml")),
    hasMembership: stat !== undefined,
    membershipPath,
    membershipUpdatedAt: stat === undefined ? null : stat.mtime.toISOString(),
    members: rows === undefined ? null : countByStage(rows),
    error: null,
  };
}

export function cohortMembers(info: CohortInfo): MemberRow[] {
  return info.hasMembership ? readMembership(info.membershipPath) : [];
}

function countByStage(rows: MemberRow[]): Record<Stage, number> {
  const counts = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  for (const row of rows) counts[row.stage]++;
  return counts;
}

function readCohortYaml(file: string): Record<string, unknown> | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (cause) {
    throw new UiDataError("cohort_yaml", `cannot parse ${file}: ${(cause as Error).message}`, {
      context: { file },
      hint: "fix the YAML, or re-materialize cohort_id to rewrite it",
      cause,
    });
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new UiDataError("cohort_yaml", `${file} is not a mapping`, {
      context: { file },
      hint: "re-materialize cohort_id to rewrite it",
    });
  }
  return doc as Record<string, unknown>;
}
