import { displayPath } from "../config/data-root.ts";
import { llmModelsPath, type Stage, templateTablePath } from "../config/paths.ts";
import { type CohortManifest, compareCodePoints } from "../ids.ts";
import { readSelectedComboMappings, type SelectedComboMappings } from "../raw/combo-mappings.ts";
import { type LlmModel, readLlmModels } from "../raw/llm-models.ts";
import {
  activeTemplates,
  assertKnownParser,
  assertTemplateFileExists,
  needsTemplateFile,
  readTemplates,
  type TemplateRow,
} from "../raw/templates.ts";
import { CohortError } from "./errors.ts";

/** Everything a cohort is built from: the combos in play and the active templates and models. */
export interface CohortAxes {
  root: string;
  combos: SelectedComboMappings;
  /** All template rows (active or not) by stage, for lookups by id. */
  templates: Record<Stage, TemplateRow[]>;
  active: Record<Stage, TemplateRow[]>;
  generationModels: LlmModel[];
  evaluationModels: LlmModel[];
  modelsById: Map<string, LlmModel>;
}

export function readCohortAxes(root: string): CohortAxes {
  const templates = {
    draft: readTemplates(root, "draft"),
    essay: readTemplates(root, "essay"),
    evaluation: readTemplates(root, "evaluation"),
  };
  const models = readLlmModels(root);
  return {
    root,
    combos: readSelectedComboMappings(root),
    templates,
    active: {
      draft: activeTemplates(templates.draft),
      essay: activeTemplates(templates.essay),
      evaluation: activeTemplates(templates.evaluation),
    },
    generationModels: models.filter((m) => m.forGeneration),
    evaluationModels: models.filter((m) => m.forEvaluation),
    modelsById: new Map(models.map((m) => [m.id, m])),
  };
}

const sorted = (ids: string[]) => [...ids].sort(compareCodePoints);

/** The manifest a deterministic cohort id is computed from (sorted ids of every active axis). */
export function manifestFromAxes(axes: CohortAxes): CohortManifest & {
  combos: string[];
  templates: Record<Stage, string[]>;
  llms: { generation: string[]; evaluation: string[] };
} {
  return {
    combos: sorted(axes.combos.comboIds),
    templates: {
      draft: sorted(axes.active.draft.map((t) => t.templateId)),
      essay: sorted(axes.active.essay.map((t) => t.templateId)),
      evaluation: sorted(axes.active.evaluation.map((t) => t.templateId)),
    },
    llms: {
      generation: sorted(axes.generationModels.map((m) => m.id)),
      evaluation: sorted(axes.evaluationModels.map((m) => m.id)),
    },
  };
}

function emptyAxis(axis: string, file: string, hint: string): CohortError {
  return new CohortError(
    "COHORT_AXIS_EMPTY",
    `cannot build the cohort: axis "${axis}" is empty (${displayPath(file)})`,
    {
      context: { axis, file: displayPath(file) },
      hint,
    },
  );
}

/**
 * Fail naming the first empty axis the given stages need, and any active template of
 * those stages without its template file or with a parser that is not registered.
 */
export function requireAxes(axes: CohortAxes, stages: readonly Stage[]): void {
  const { root } = axes;
  if (stages.includes("draft")) {
    if (axes.combos.comboIds.length === 0) {
      throw emptyAxis(
        "combos",
        axes.combos.file,
        axes.combos.exists
          ? "add combos to data/2_tasks/selected_combo_mappings.csv (rows copied from data/combo_mappings.csv)"
          : "create data/2_tasks/selected_combo_mappings.csv with the combos in play (rows copied from data/combo_mappings.csv)",
      );
    }
    if (axes.active.draft.length === 0) {
      throw emptyAxis(
        "draft templates",
        templateTablePath(root, "draft"),
        "set active to True for at least one draft template",
      );
    }
    if (axes.generationModels.length === 0) {
      throw emptyAxis(
        "generation models",
        llmModelsPath(root),
        "set for_generation to True for at least one model",
      );
    }
  }
  if (stages.includes("essay") && axes.active.essay.length === 0) {
    throw emptyAxis(
      "essay templates",
      templateTablePath(root, "essay"),
      "set active to True for at least one essay template",
    );
  }
  if (stages.includes("evaluation")) {
    if (axes.active.evaluation.length === 0) {
      throw emptyAxis(
        "evaluation templates",
        templateTablePath(root, "evaluation"),
        "set active to True for at least one evaluation template",
      );
    }
    if (axes.evaluationModels.length === 0) {
      throw emptyAxis(
        "evaluation models",
        llmModelsPath(root),
        "set for_evaluation to True for at least one model",
      );
    }
  }
  for (const stage of stages) {
    for (const t of axes.active[stage]) assertTemplateUsable(root, t);
  }
}

/** A template a cohort will render: its source file exists (unless it is a copy essay) and its parser is known. */
export function assertTemplateUsable(root: string, t: TemplateRow): void {
  if (needsTemplateFile(t)) assertTemplateFileExists(root, t);
  assertKnownParser(root, t);
}
