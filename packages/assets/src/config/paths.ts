import path from "node:path";

/** The data layout of the DayDreaming pipeline (see docs/cohorts.md); every path hangs off a data root. */

export type Stage = "draft" | "essay" | "evaluation";
export const STAGES: readonly Stage[] = ["draft", "essay", "evaluation"];

export type DescriptionLevel = "sentence" | "paragraph" | "article";
export const DESCRIPTION_LEVELS: readonly DescriptionLevel[] = ["sentence", "paragraph", "article"];

export function rawDir(root: string): string {
  return path.join(root, "1_raw");
}

export function conceptsMetadataPath(root: string): string {
  return path.join(root, "1_raw", "concepts_metadata.csv");
}

export function conceptDescriptionPath(root: string, level: DescriptionLevel, conceptId: string): string {
  return path.join(root, "1_raw", "concepts", `descriptions-${level}`, `${conceptId}.txt`);
}

export function llmModelsPath(root: string): string {
  return path.join(root, "1_raw", "llm_models.csv");
}

export function templateTablePath(root: string, stage: Stage): string {
  return path.join(root, "1_raw", `${stage}_templates.csv`);
}

/** Template source: drafts and essays under generation_templates/<stage>/, evaluations under evaluation_templates/. */
export function templateFilePath(root: string, stage: Stage, templateId: string): string {
  return stage === "evaluation"
    ? path.join(root, "1_raw", "evaluation_templates", `${templateId}.txt`)
    : path.join(root, "1_raw", "generation_templates", stage, `${templateId}.txt`);
}

/** The superset of every combo ever defined. */
export function comboMappingsPath(root: string): string {
  return path.join(root, "combo_mappings.csv");
}

export function tasksDir(root: string): string {
  return path.join(root, "2_tasks");
}

/** The combos in play (a subset of combo_mappings.csv). */
export function selectedComboMappingsPath(root: string): string {
  return path.join(root, "2_tasks", "selected_combo_mappings.csv");
}

/** Its presence switches cohort_membership to the curated path (Path A). */
export function selectedEssaysPath(root: string): string {
  return path.join(root, "2_tasks", "selected_essays.txt");
}

export function taskTablePath(root: string, table: string): string {
  return path.join(root, "2_tasks", `${table}.csv`);
}

export function cohortsDir(root: string): string {
  return path.join(root, "cohorts");
}

/** Where cohort_id's IO manager stores the id (core's file layout `<dir>/<assetKey>.txt`). */
export function storedCohortIdPath(root: string): string {
  return path.join(root, "cohorts", "cohort_id.txt");
}

/** Present while the last cohort_membership step failed (see cohorts/membership-failure.ts). */
export function membershipFailurePath(root: string): string {
  return path.join(root, "cohorts", "cohort_membership.failed.json");
}

export function cohortDir(root: string, cohortId: string): string {
  return path.join(root, "cohorts", cohortId);
}

export function manifestPath(root: string, cohortId: string): string {
  return path.join(root, "cohorts", cohortId, "manifest.json");
}

export function cohortYamlPath(root: string, cohortId: string): string {
  return path.join(root, "cohorts", cohortId, "cohort.yaml");
}

export function membershipPath(root: string, cohortId: string): string {
  return path.join(root, "cohorts", cohortId, "membership.csv");
}

export function gensDir(root: string, stage: Stage, genId: string): string {
  return path.join(root, "gens", stage, genId);
}
