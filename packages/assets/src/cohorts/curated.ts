import fs from "node:fs";
import { displayPath } from "../config/data-root.ts";
import { comboMappingsPath, gensDir, llmModelsPath, type Stage, templateTablePath } from "../config/paths.ts";
import { assertSafeId, reserveGenId, UnsafeIdError } from "../ids.ts";
import { readComboMappingsFile } from "../raw/combo-mappings.ts";
import type { ReplicationConfig } from "../raw/replication-config.ts";
import type { SelectedEssays } from "../raw/selected-essays.ts";
import { assertTemplateUsable, type CohortAxes } from "./axes.ts";
import { addReplicate, appendEvaluationRows, replicatesOf } from "./cartesian.ts";
import { SelectedEssayError } from "./errors.ts";
import { type GenMetadataRead, metadataText, readGenMetadata } from "./gens-metadata.ts";
import { type Membership, MembershipBuilder } from "./membership-schema.ts";

/** What the cohort needs from a selected essay and its parent draft, read from their metadata.json. */
interface SelectedChain {
  essayGenId: string;
  essayTaskId: string;
  essayTemplate: string;
  essayModel: string;
  draftGenId: string;
  draftTaskId: string;
  comboId: string;
  draftTemplate: string;
  draftModel: string;
}

function loadedOrFail(read: GenMetadataRead, essayGenId: string, what: string): Record<string, unknown> {
  if (read.ok) return read.fields;
  throw new SelectedEssayError(essayGenId, `${what}: ${read.detail}`, {
    missingField: read.problem === "gens directory missing" ? "gens directory" : "metadata.json",
    file: displayPath(read.file),
    hint: "remove the id from data/2_tasks/selected_essays.txt, or restore the generation under data/gens/",
  });
}

function requireField(essayGenId: string, value: string, field: string, file: string): string {
  if (value !== "") return value;
  throw new SelectedEssayError(essayGenId, `metadata field ${field} is missing or empty`, {
    missingField: field,
    file: displayPath(file),
    hint: `add "${field.split(".").pop()}" to ${displayPath(file)}, or remove the essay from data/2_tasks/selected_essays.txt`,
  });
}

/** A draft gen_id listed by mistake is the likeliest reason for a missing essay: say so. */
function failIfDraftId(root: string, read: GenMetadataRead, essayGenId: string): void {
  if (read.ok || read.problem !== "gens directory missing") return;
  if (!fs.existsSync(gensDir(root, "draft", essayGenId))) return;
  throw new SelectedEssayError(
    essayGenId,
    `${essayGenId} is a draft gen_id (${displayPath(gensDir(root, "draft", essayGenId))}), not an essay gen_id`,
    {
      missingField: "gens directory",
      file: displayPath(read.file),
      hint: "list essay gen_ids (directories of data/gens/essay/) in data/2_tasks/selected_essays.txt",
    },
  );
}

function readChain(root: string, essayGenId: string): SelectedChain {
  const essayRead = readGenMetadata(root, "essay", essayGenId);
  failIfDraftId(root, essayRead, essayGenId);
  const essay = loadedOrFail(essayRead, essayGenId, "the essay generation cannot be read");
  const essayFile = essayRead.file;
  const essayTemplate = requireField(
    essayGenId,
    metadataText(essay, "template_id") || metadataText(essay, "essay_template"),
    "essay.template_id",
    essayFile,
  );
  const draftGenId = requireField(
    essayGenId,
    metadataText(essay, "parent_gen_id"),
    "essay.parent_gen_id",
    essayFile,
  );
  try {
    assertSafeId(draftGenId, "parent draft gen_id");
  } catch (err) {
    if (!(err instanceof UnsafeIdError)) throw err;
    throw new SelectedEssayError(essayGenId, err.message, {
      missingField: "essay.parent_gen_id",
      file: displayPath(essayFile),
      hint: "fix parent_gen_id in the essay's metadata.json",
      cause: err,
    });
  }
  const draftRead = readGenMetadata(root, "draft", draftGenId);
  const draft = loadedOrFail(draftRead, essayGenId, `its parent draft ${draftGenId} cannot be read`);
  const draftFile = draftRead.file;
  const essayModel = metadataText(essay, "model_id");
  const draftModel = metadataText(draft, "model_id");
  return {
    essayGenId,
    essayTaskId: metadataText(essay, "task_id"),
    essayTemplate,
    essayModel,
    draftGenId,
    draftTaskId: metadataText(draft, "task_id"),
    comboId: requireField(essayGenId, metadataText(draft, "combo_id"), "draft.combo_id", draftFile),
    draftTemplate: requireField(
      essayGenId,
      metadataText(draft, "template_id") || metadataText(draft, "draft_template"),
      "draft.template_id",
      draftFile,
    ),
    // An essay copied from its draft records no model of its own; the draft's stands in.
    draftModel: requireField(essayGenId, draftModel || essayModel, "draft.model_id", draftFile),
  };
}

/** A template a regenerated chain renders: defined in the raw table (it may be inactive), with its file and a known parser. */
function requireKnownTemplate(axes: CohortAxes, stage: Stage, templateId: string, essayGenId: string): void {
  const template = axes.templates[stage].find((t) => t.templateId === templateId);
  if (template) {
    assertTemplateUsable(axes.root, template);
    return;
  }
  const file = displayPath(templateTablePath(axes.root, stage));
  throw new SelectedEssayError(
    essayGenId,
    `its ${stage} template "${templateId}" is not in ${file}, so it cannot be regenerated`,
    {
      missingField: `${stage}.template_id`,
      file,
      hint: `add the template to ${file} (it may stay inactive), or build the cohort without regenerate`,
    },
  );
}

/** Combos a regenerated draft can be rendered from: the selected ones and the superset. */
function knownCombos(axes: CohortAxes): Set<string> {
  const ids = new Set(axes.combos.comboIds);
  const superset = comboMappingsPath(axes.root);
  if (fs.existsSync(superset)) for (const r of readComboMappingsFile(superset)) ids.add(r.comboId);
  return ids;
}

function modelName(axes: CohortAxes, modelId: string, essayGenId: string, required: boolean): string {
  const model = axes.modelsById.get(modelId);
  if (model) return model.model;
  if (!required) return "";
  const file = displayPath(llmModelsPath(axes.root));
  throw new SelectedEssayError(
    essayGenId,
    `its generation model "${modelId}" is not in ${file}, so it cannot be regenerated`,
    {
      missingField: "generation_model_name",
      file,
      hint: `add a row with id ${modelId} to ${file}, or build the cohort without regenerate`,
    },
  );
}

/**
 * Path A: a cohort from curated essays. By default evaluate-only: the selected essays
 * and their parent drafts keep their existing gen_ids (nothing is regenerated) and only
 * the evaluation rows get new cohort-scoped ids. With `regenerate`, drafts and essays
 * get cohort-scoped ids too (task ids rebuilt from the metadata, as the original did),
 * so the whole chain is generated afresh. Replicates (the original's rules): drafts are
 * never replicated; regenerated essays are (salt `rep{er}` for every er, 1 included,
 * when there is more than one); evaluations always are. Call requireAxes(axes,
 * ["evaluation"]) first.
 */
export function buildCuratedMembership(
  axes: CohortAxes,
  selected: SelectedEssays,
  cohortId: string,
  opts: { regenerate: boolean; replication?: ReplicationConfig },
): Membership {
  const reps = replicatesOf(opts.replication);
  const builder = new MembershipBuilder(cohortId, { replicated: opts.replication !== undefined });
  const scoped = { runId: cohortId };
  const combos = opts.regenerate ? knownCombos(axes) : undefined;
  for (const essayGenId of selected.ids) {
    const c = readChain(axes.root, essayGenId);
    let draftGenId: string;
    let essayGenIds: string[];
    let draftTaskId: string;
    let essayTaskId: string;
    let draftModel: string;
    let essayModel: string;
    if (opts.regenerate) {
      requireKnownTemplate(axes, "draft", c.draftTemplate, essayGenId);
      requireKnownTemplate(axes, "essay", c.essayTemplate, essayGenId);
      if (!combos?.has(c.comboId)) {
        throw new SelectedEssayError(
          essayGenId,
          `its combo "${c.comboId}" is not defined in data/combo_mappings.csv, so its draft cannot be regenerated`,
          {
            missingField: "draft.combo_id",
            file: displayPath(comboMappingsPath(axes.root)),
            hint: "add the combo's rows to data/combo_mappings.csv, or build the cohort without regenerate",
          },
        );
      }
      draftModel = essayModel = c.essayModel || c.draftModel;
      draftTaskId = `${c.comboId}__${c.draftTemplate}__${draftModel}`;
      essayTaskId = `${draftTaskId}__${c.essayTemplate}`;
      draftGenId = reserveGenId("draft", draftTaskId, scoped);
      const taskId = essayTaskId;
      essayGenIds = Array.from({ length: reps.essay }, (_, k) =>
        reserveGenId("essay", taskId, { ...scoped, salt: reps.essay > 1 ? `rep${k + 1}` : undefined }),
      );
    } else {
      draftModel = c.draftModel;
      essayModel = c.essayModel || c.draftModel;
      draftTaskId = c.draftTaskId || `${c.comboId}__${c.draftTemplate}__${draftModel}`;
      essayTaskId = c.essayTaskId || `${draftTaskId}__${c.essayTemplate}`;
      draftGenId = c.draftGenId;
      essayGenIds = [c.essayGenId];
    }
    const required = opts.regenerate;
    addReplicate(
      builder,
      "draft",
      [
        draftGenId,
        cohortId,
        draftTaskId,
        c.comboId,
        c.draftTemplate,
        draftModel,
        modelName(axes, draftModel, essayGenId, required),
      ],
      1,
    );
    const essayModelName = modelName(axes, essayModel, essayGenId, required);
    essayGenIds.forEach((id, k) => {
      addReplicate(
        builder,
        "essay",
        [
          id,
          cohortId,
          essayTaskId,
          draftGenId,
          draftTaskId,
          c.comboId,
          c.draftTemplate,
          c.essayTemplate,
          essayModel,
          essayModelName,
        ],
        k + 1,
      );
    });
  }
  appendEvaluationRows(builder, axes, reps.evaluation);
  // The original wrote a regenerated chain draft-then-essay per selected essay; membership.csv keeps its order.
  return builder.build(opts.regenerate ? "chains" : undefined);
}
