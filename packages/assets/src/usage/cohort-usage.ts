/** `assets cost`: what each cohort's LLM responses cost, from their metadata.json files. */
import fs from "node:fs";
import path from "node:path";
import { AssetsError } from "@daydream/core";
import { readMembershipCsv } from "../cohorts/membership-file.ts";
import { GEN_ID } from "../cohorts/membership-schema.ts";
import { displayPath } from "../config/data-root.ts";
import { cohortsDir, gensDir, membershipPath, STAGES } from "../config/paths.ts";
import { type UsageReport, UsageTotals, usageOfGeneration } from "./llm-usage.ts";

export interface CohortUsage extends UsageReport {
  cohortId: string;
  /** Members whose response this cohort's runs wrote (metadata.json names the cohort). */
  responses: number;
  /** Members generated for another cohort and reused here: their cost is that cohort's. */
  reused: number;
  /** Members without a response yet. */
  pending: number;
}

/** Cohorts with a membership, by id. */
export function listCohortIds(root: string): string[] {
  const dir = cohortsDir(root);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(membershipPath(root, d.name)))
    .map((d) => d.name)
    .sort();
}

/**
 * Totals of the cohort's members whose metadata.json says this cohort generated them: a
 * curated cohort that evaluates existing essays pays for its evaluations, not for the essays.
 */
export function cohortUsage(root: string, cohortId: string): CohortUsage {
  const file = membershipPath(root, cohortId);
  if (!fs.existsSync(file)) {
    const known = listCohortIds(root);
    throw new AssetsError(
      "COHORT_UNKNOWN",
      `no cohort "${cohortId}" under ${displayPath(cohortsDir(root))}`,
      {
        context: { cohort: cohortId, file: displayPath(file) },
        hint: known.length > 0 ? `known cohorts: ${known.join(", ")}` : "materialize cohort_membership first",
      },
    );
  }
  const membership = readMembershipCsv(file, cohortId);
  const totals = new UsageTotals();
  let responses = 0;
  let reused = 0;
  let pending = 0;
  for (const stage of STAGES) {
    for (const row of membership.rows[stage]) {
      const metadata = readGenMetadata(path.join(gensDir(root, stage, row[GEN_ID]), "metadata.json"));
      const usage = metadata && usageOfGeneration(metadata);
      if (usage === undefined || usage === null) pending++;
      else if (metadata?.cohort_id !== cohortId) reused++;
      else {
        responses++;
        totals.add(usage);
      }
    }
  }
  return { cohortId, responses, reused, pending, ...totals.report() };
}

function readGenMetadata(file: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AssetsError("GEN_METADATA_INVALID", `${displayPath(file)} is not valid JSON`, {
      context: { file: displayPath(file) },
      hint: "regenerate the response (materialize its *_response partition) or fix the file by hand",
      cause: err,
    });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AssetsError("GEN_METADATA_INVALID", `${displayPath(file)} is not a JSON object`, {
      context: { file: displayPath(file) },
      hint: "regenerate the response (materialize its *_response partition)",
    });
  }
  return value as Record<string, unknown>;
}
