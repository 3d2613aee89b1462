import fs from "node:fs";
import { type AssetContext, type IOManager, textIOManager } from "@daydream/core";
import { dataRoot, displayPath } from "../config/data-root.ts";
import { envCohortOverride } from "../config/env.ts";
import { dataRootIOManager } from "../config/io-managers.ts";
import { cohortYamlPath, manifestPath, storedCohortIdPath } from "../config/paths.ts";
import { writeFileAtomicSync } from "../raw/atomic-file.ts";
import { establishCohort } from "./cohort-id.ts";

const COHORT_ID = "cohort_id";

/**
 * cohort_id's IO manager: the id is stored in data/cohorts/cohort_id.txt. Until cohort_id
 * has been materialized there is nothing stored, and a reader (cohort_membership, the task
 * tables) gets the id the asset would compute (DD_COHORT, else the manifest of active
 * axes), with manifest.json and cohort.yaml written just as the asset writes them: so
 * `assets materialize --select cohort_membership` works on a fresh clone. Nothing is
 * stored in cohort_id.txt, so later runs derive the id again until cohort_id is
 * materialized (which is how a run config override is applied).
 */
export function cohortIdIOManager(): IOManager {
  const stored = dataRootIOManager("cohorts", textIOManager);
  return {
    handleOutput: async (ctx, value) => {
      const file = storedCohortIdPath(dataRoot());
      const previous = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
      await stored.handleOutput(ctx, value);
      storedInRun = { runId: ctx.runId, file, previous };
    },
    loadInput: (ctx) => {
      const root = dataRoot();
      if (ctx.assetKey !== COHORT_ID || fs.existsSync(storedCohortIdPath(root))) return stored.loadInput(ctx);
      return establishCohort(root).resolved.cohortId;
    },
  };
}

/**
 * What the last cohort_id store replaced, so that a cohort_membership failing later in
 * the same run can put cohort_id.txt back: a cohort whose membership failed must not
 * become the cohort later runs work on.
 */
let storedInRun: { runId: string; file: string; previous: string | undefined } | undefined;

/**
 * Undo this run's store of cohort_id.txt (atomically: the previous id written back, or
 * the file removed when there was none). Returns the id restored ("" when the file was
 * removed), or undefined when this run stored no cohort id.
 */
export function restoreCohortIdStoredInRun(runId: string): string | undefined {
  const stored = storedInRun;
  if (stored?.runId !== runId) return undefined;
  storedInRun = undefined;
  if (stored.previous === undefined) {
    fs.rmSync(stored.file, { force: true });
    return "";
  }
  writeFileAtomicSync(stored.file, stored.previous);
  return stored.previous;
}

/** The cohort id stored in this run stands (its membership succeeded). */
export function keepCohortIdStoredInRun(runId: string): void {
  if (storedInRun?.runId === runId) storedInRun = undefined;
}

/**
 * For readers of cohort_id: when no id is stored, the value they got was derived by
 * cohortIdIOManager; say so in the step's log and metadata, so the run shows where the
 * cohort id came from.
 */
export function noteDerivedCohortId(ctx: AssetContext<unknown>, root: string, cohortId: string): void {
  if (fs.existsSync(storedCohortIdPath(root))) return;
  const source = envCohortOverride() ? "DD_COHORT" : "manifest";
  ctx.log.info(
    {
      cohort_id: cohortId,
      source,
      manifest_path: displayPath(manifestPath(root, cohortId)),
      cohort_yaml_path: displayPath(cohortYamlPath(root, cohortId)),
    },
    "cohort_id has not been materialized: derived the cohort id as cohort_id would and wrote its manifest.json and cohort.yaml",
  );
  ctx.addMetadata({ cohort_id_source: `derived from ${source} (cohort_id not materialized)` });
}
