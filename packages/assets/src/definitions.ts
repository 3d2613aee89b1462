/**
 * The Definitions object the CLI loads by default (assets.yaml `definitions:`).
 * Every asset reads DD_DATA_ROOT at use time, so one module serves any data root.
 */
import { defineDefinitions, jsonIOManager } from "@daydream/core";
import { generationChecks } from "./checks/generation-checks.ts";
import { membershipIntegrityCheck } from "./checks/membership-check.ts";
import {
  COHORT_JSON_IO,
  COHORT_TEXT_IO,
  cohortIdAsset,
  cohortMembershipAsset,
} from "./cohorts/cohort-assets.ts";
import { cohortIdIOManager } from "./cohorts/cohort-id-io.ts";
import { dataRootIOManager, derivedIOManager } from "./config/io-managers.ts";
import { generationAssets, generationIOManagers, generationResources } from "./generation/assets.ts";
import { parsedScoresAsset } from "./results/parsed-scores-asset.ts";
import { scorePivotAsset } from "./results/score-pivot-asset.ts";
import {
  contentCombinationsAsset,
  derivedComboValues,
  selectedComboMappingsAsset,
} from "./tasks/combo-assets.ts";
import {
  DERIVED_IO,
  draftGenerationTasksAsset,
  essayGenerationTasksAsset,
  evaluationTasksAsset,
  taskTableRef,
} from "./tasks/task-assets.ts";

const cohortAndTaskAssets = [
  selectedComboMappingsAsset,
  contentCombinationsAsset,
  cohortIdAsset,
  cohortMembershipAsset,
  draftGenerationTasksAsset,
  essayGenerationTasksAsset,
  evaluationTasksAsset,
];

const cohortAndTaskIOManagers = {
  // data/cohorts/cohort_id.txt: the id of the cohort last materialized, for later runs
  // (derived from DD_COHORT or the manifest while cohort_id was never materialized).
  [COHORT_TEXT_IO]: cohortIdIOManager(),
  // data/cohorts/cohort_membership.json: summary of the last membership written.
  [COHORT_JSON_IO]: dataRootIOManager("cohorts", jsonIOManager),
  [DERIVED_IO]: derivedIOManager({
    ...derivedComboValues,
    draft_generation_tasks: (root) => taskTableRef(root, "draft_generation_tasks"),
    essay_generation_tasks: (root) => taskTableRef(root, "essay_generation_tasks"),
    evaluation_tasks: (root) => taskTableRef(root, "evaluation_tasks"),
  }),
};

export default defineDefinitions({
  assets: [...cohortAndTaskAssets, ...generationAssets, parsedScoresAsset, scorePivotAsset],
  resources: { ...generationResources },
  ioManagers: { ...cohortAndTaskIOManagers, ...generationIOManagers },
  checks: [...generationChecks, membershipIntegrityCheck],
});
