import { reserveGenId } from "../ids.ts";
import type { CohortAxes } from "./axes.ts";
import { GEN_ID, type Membership, MembershipBuilder } from "./membership-schema.ts";

/**
 * Evaluation rows for every essay row of the builder x active evaluation templates x
 * evaluation models: task id `{essay_gen_id}__{template}__{model}`, cohort-scoped gen id.
 */
export function appendEvaluationRows(builder: MembershipBuilder, axes: CohortAxes): void {
  const { cohortId } = builder;
  const options = { runId: cohortId };
  const essays = builder.rows.essay;
  for (const essay of essays) {
    const essayGenId = essay[GEN_ID];
    for (const t of axes.active.evaluation) {
      const prefix = `${essayGenId}__${t.templateId}__`;
      for (const m of axes.evaluationModels) {
        const taskId = prefix + m.id;
        builder.add("evaluation", [
          reserveGenId("evaluation", taskId, options),
          cohortId,
          taskId,
          essayGenId,
          t.templateId,
          m.id,
          m.model,
          t.parser,
        ]);
      }
    }
  }
}

/**
 * True when joining ids with `__` cannot make two different tuples look alike: no id
 * contains `__` or starts or ends with `_`. Task ids (and so gen ids) are then distinct
 * by construction and need no duplicate check.
 */
export function taskIdsUnambiguous(axes: CohortAxes): boolean {
  const ids = [
    ...axes.combos.comboIds,
    ...axes.active.draft.map((t) => t.templateId),
    ...axes.active.essay.map((t) => t.templateId),
    ...axes.active.evaluation.map((t) => t.templateId),
    ...axes.generationModels.map((m) => m.id),
    ...axes.evaluationModels.map((m) => m.id),
  ];
  return ids.every((id) => !id.includes("__") && !id.startsWith("_") && !id.endsWith("_"));
}

/**
 * Path B: the full Cartesian cohort over the active axes, every gen id scoped to the
 * cohort. Drafts: combos x draft templates x generation models; essays: drafts x
 * essay templates; evaluations: essays x evaluation templates x evaluation models.
 * Call requireAxes(axes, STAGES) first.
 */
export function buildCartesianMembership(axes: CohortAxes, cohortId: string): Membership {
  const builder = new MembershipBuilder(cohortId, { unique: taskIdsUnambiguous(axes) });
  const options = { runId: cohortId };
  for (const comboId of axes.combos.comboIds) {
    for (const t of axes.active.draft) {
      for (const m of axes.generationModels) {
        const taskId = `${comboId}__${t.templateId}__${m.id}`;
        builder.add("draft", [
          reserveGenId("draft", taskId, options),
          cohortId,
          taskId,
          comboId,
          t.templateId,
          m.id,
          m.model,
        ]);
      }
    }
  }
  for (const d of builder.rows.draft) {
    const [draftGenId, , draftTaskId, comboId, draftTemplate, model, modelName] = d;
    for (const t of axes.active.essay) {
      const taskId = `${draftTaskId}__${t.templateId}`;
      builder.add("essay", [
        reserveGenId("essay", taskId, options),
        cohortId,
        taskId,
        draftGenId,
        draftTaskId,
        comboId,
        draftTemplate,
        t.templateId,
        model,
        modelName,
      ]);
    }
  }
  appendEvaluationRows(builder, axes);
  return builder.build();
}
