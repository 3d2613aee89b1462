import type { Stage } from "../config/paths.ts";
import { genIdsOf, reserveGenId } from "../ids.ts";
import type { ReplicationConfig } from "../raw/replication-config.ts";
import type { CohortAxes } from "./axes.ts";
import {
  GEN_ID,
  type Membership,
  MembershipBuilder,
  rowReplicate,
  type StageRow,
} from "./membership-schema.ts";

/** Replicates per stage; without a replication file, one each (and no replicate cells). */
export type Replicates = Record<Stage, number>;

export const SINGLE_REPLICATES: Replicates = { draft: 1, essay: 1, evaluation: 1 };

export function replicatesOf(config: ReplicationConfig | undefined): Replicates {
  return config ? config.replicates : SINGLE_REPLICATES;
}

/** Adds the row, with its replicate cell when the builder's membership is replicated. */
export function addReplicate(
  builder: MembershipBuilder,
  stage: Stage,
  row: StageRow,
  replicate: number,
): void {
  if (builder.replicated) row.push(String(replicate));
  builder.add(stage, row);
}

/**
 * Evaluation rows for every essay row of the builder x active evaluation templates x
 * evaluation models x `replicates` (r = 1..V): task id `{essay_gen_id}__{template}__{model}`,
 * cohort-scoped gen id salted `rep{r}` from the second replicate on (the original's rule).
 */
export function appendEvaluationRows(builder: MembershipBuilder, axes: CohortAxes, replicates = 1): void {
  const { cohortId } = builder;
  const essays = builder.rows.essay;
  // One gen id function per replicate, not options per row: 80,000 rows and more.
  const genIdOf = Array.from({ length: replicates }, (_, k) =>
    genIdsOf("evaluation", { runId: cohortId, salt: k === 0 ? undefined : `rep${k + 1}` }),
  );
  for (const essay of essays) {
    const essayGenId = essay[GEN_ID];
    for (const t of axes.active.evaluation) {
      const prefix = `${essayGenId}__${t.templateId}__`;
      for (const m of axes.evaluationModels) {
        const taskId = prefix + m.id;
        for (let r = 1; r <= replicates; r++) {
          const genId = genIdOf[r - 1](taskId);
          // Evaluations are the bulk of a cohort: their rows are built whole (a push would
          // grow every array's backing store well beyond its 9 cells).
          const row = builder.replicated
            ? [genId, cohortId, taskId, essayGenId, t.templateId, m.id, m.model, t.parser, String(r)]
            : [genId, cohortId, taskId, essayGenId, t.templateId, m.id, m.model, t.parser];
          builder.add("evaluation", row);
        }
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
 * cohort. Drafts: combos x draft templates x generation models x draft replicates;
 * essays: drafts x essay templates x essay replicates; evaluations: essays x evaluation
 * templates x evaluation models x evaluation replicates. Task ids never carry the
 * replicate; the salt does (the original's rules, see docs/cohorts.md). Without
 * `replication` the ids, rows and columns are exactly those of a cohort without
 * replicates. Call requireAxes(axes, STAGES) first.
 */
export function buildCartesianMembership(
  axes: CohortAxes,
  cohortId: string,
  replication?: ReplicationConfig,
): Membership {
  const reps = replicatesOf(replication);
  const builder = new MembershipBuilder(cohortId, {
    unique: taskIdsUnambiguous(axes),
    replicated: replication !== undefined,
  });
  for (const comboId of axes.combos.comboIds) {
    for (const t of axes.active.draft) {
      for (const m of axes.generationModels) {
        const taskId = `${comboId}__${t.templateId}__${m.id}`;
        for (let dr = 1; dr <= reps.draft; dr++) {
          const options = { runId: cohortId, salt: dr === 1 ? undefined : `rep${dr}` };
          addReplicate(
            builder,
            "draft",
            [reserveGenId("draft", taskId, options), cohortId, taskId, comboId, t.templateId, m.id, m.model],
            dr,
          );
        }
      }
    }
  }
  for (const d of builder.rows.draft) {
    const [draftGenId, , draftTaskId, comboId, draftTemplate, model, modelName] = d;
    const dr = rowReplicate("draft", d);
    for (const t of axes.active.essay) {
      const taskId = `${draftTaskId}__${t.templateId}`;
      for (let er = 1; er <= reps.essay; er++) {
        // The parent's gen_id is not in the task id: the salt names the draft replicate instead.
        const salt = dr === 1 && er === 1 ? undefined : `rep${dr}-${er}`;
        addReplicate(
          builder,
          "essay",
          [
            reserveGenId("essay", taskId, { runId: cohortId, salt }),
            cohortId,
            taskId,
            draftGenId,
            draftTaskId,
            comboId,
            draftTemplate,
            t.templateId,
            model,
            modelName,
          ],
          er,
        );
      }
    }
  }
  appendEvaluationRows(builder, axes, reps.evaluation);
  return builder.build();
}
