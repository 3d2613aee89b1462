import fs from "node:fs";
import { displayPath } from "../config/data-root.ts";
import { envCohortOverride } from "../config/env.ts";
import { cohortYamlPath, manifestPath, selectedEssaysPath } from "../config/paths.ts";
import { assertSafeId, computeCohortId, UnsafeIdError } from "../ids.ts";
import { type CohortAxes, manifestFromAxes, readCohortAxes } from "./axes.ts";
import { type CohortMode, type CohortYaml, updateCohortYaml, writeManifest } from "./cohort-files.ts";
import { CohortError } from "./errors.ts";

export type CohortIdSource = "config override" | "DD_COHORT" | "manifest";

export interface ResolvedCohort {
  cohortId: string;
  source: CohortIdSource;
  manifest: ReturnType<typeof manifestFromAxes>;
  mode: CohortMode;
  axes: CohortAxes;
}

/** Path A when data/2_tasks/selected_essays.txt exists, else Path B. */
export function cohortMode(root: string): CohortMode {
  return fs.existsSync(selectedEssaysPath(root)) ? "from_essays" : "cartesian";
}

/**
 * The cohort id: the run config's `override`, else `DD_COHORT`, else the deterministic
 * id of the manifest of active axes. Whatever the source, it must pass the partition-key
 * rule (it becomes data/cohorts/<id>/), the rule the UI applies to cohort ids too. A blank
 * override or DD_COHORT counts as not given; any other value is taken as written.
 */
export function resolveCohortId(
  root: string,
  opts: { override?: string; env?: NodeJS.ProcessEnv } = {},
): ResolvedCohort {
  const axes = readCohortAxes(root);
  const manifest = manifestFromAxes(axes);
  const override = opts.override?.trim() ? opts.override : undefined;
  const fromEnv = envCohortOverride(opts.env);
  const source: CohortIdSource = override ? "config override" : fromEnv ? "DD_COHORT" : "manifest";
  const cohortId = computeCohortId(manifest, { explicit: override ?? fromEnv });
  try {
    assertSafeId(cohortId, "cohort id");
  } catch (err) {
    if (!(err instanceof UnsafeIdError)) throw err;
    const where =
      source === "DD_COHORT"
        ? "the DD_COHORT environment variable"
        : "the run config (assets.cohort_id.override)";
    // The message stays the rule's own: word for word what the UI says about the same id.
    throw new CohortError("COHORT_ID_UNSAFE", err.message, {
      context: { cohort: cohortId, source },
      hint: `set ${where} to a name such as cohort-2025-09-demo (${err.hint})`,
      cause: err,
    });
  }
  return { cohortId, source, manifest, mode: cohortMode(root), axes };
}

export interface CohortFilesWritten {
  manifestFile: string;
  yamlFile: string;
  manifestWritten: boolean;
  yamlWritten: boolean;
  yaml: CohortYaml;
}

/** data/cohorts/<id>/manifest.json and cohort.yaml (created_at kept from an existing file). */
export function writeCohortFiles(
  root: string,
  resolved: ResolvedCohort,
  opts: { notes?: string; now?: () => Date } = {},
): CohortFilesWritten {
  const manifestFile = manifestPath(root, resolved.cohortId);
  const yamlFile = cohortYamlPath(root, resolved.cohortId);
  const manifestWritten = writeManifest(manifestFile, resolved.manifest);
  const { yaml, written } = updateCohortYaml(
    yamlFile,
    { id: resolved.cohortId, mode: resolved.mode, notes: opts.notes },
    opts.now,
  );
  return {
    manifestFile: displayPath(manifestFile),
    yamlFile: displayPath(yamlFile),
    manifestWritten,
    yamlWritten: written,
    yaml,
  };
}

/**
 * What materializing cohort_id does to the data root: resolve the id and write its
 * manifest.json and cohort.yaml. Shared with cohort_id's IO manager, which does the same
 * when a downstream asset needs the id before cohort_id was ever materialized.
 */
export function establishCohort(
  root: string,
  opts: { override?: string; notes?: string } = {},
): { resolved: ResolvedCohort; files: CohortFilesWritten } {
  const resolved = resolveCohortId(root, { override: opts.override });
  return { resolved, files: writeCohortFiles(root, resolved, { notes: opts.notes }) };
}
