import type { Stage } from "../config/paths.ts";

/**
 * Column layout of membership.csv (the plan's union schema) and of the three task
 * tables. A stage's task table has exactly that stage's columns, in this order; the
 * membership has `stage` plus the union of all of them.
 */
export const STAGE_COLUMNS = {
  draft: [
    "gen_id",
    "cohort_id",
    "draft_task_id",
    "combo_id",
    "draft_template",
    "generation_model",
    "generation_model_name",
  ],
  essay: [
    "gen_id",
    "cohort_id",
    "essay_task_id",
    "parent_gen_id",
    "draft_task_id",
    "combo_id",
    "draft_template",
    "essay_template",
    "generation_model",
    "generation_model_name",
  ],
  evaluation: [
    "gen_id",
    "cohort_id",
    "evaluation_task_id",
    "parent_gen_id",
    "evaluation_template",
    "evaluation_model",
    "evaluation_model_name",
    "parser",
  ],
} as const satisfies Record<Stage, readonly string[]>;

export type DraftColumn = (typeof STAGE_COLUMNS.draft)[number];
export type EssayColumn = (typeof STAGE_COLUMNS.essay)[number];
export type EvaluationColumn = (typeof STAGE_COLUMNS.evaluation)[number];

export const MEMBERSHIP_COLUMNS = [
  "stage",
  "gen_id",
  "cohort_id",
  "draft_task_id",
  "combo_id",
  "draft_template",
  "generation_model",
  "generation_model_name",
  "essay_task_id",
  "parent_gen_id",
  "essay_template",
  "evaluation_task_id",
  "evaluation_template",
  "evaluation_model",
  "evaluation_model_name",
  "parser",
] as const;

/** Cells that must not be empty, per stage (generation_model_name may be: a retired model in an evaluate-only cohort). */
export const REQUIRED_CELLS: Record<Stage, readonly string[]> = {
  draft: ["gen_id", "cohort_id", "draft_task_id", "combo_id", "draft_template", "generation_model"],
  essay: ["gen_id", "cohort_id", "essay_task_id", "parent_gen_id", "essay_template", "generation_model"],
  evaluation: [
    "gen_id",
    "cohort_id",
    "evaluation_task_id",
    "parent_gen_id",
    "evaluation_template",
    "evaluation_model",
  ],
};

/** Index of a column within a stage row. */
export function stageColumnIndex(stage: Stage, column: string): number {
  return (STAGE_COLUMNS[stage] as readonly string[]).indexOf(column);
}

export const GEN_ID = 0;
export const COHORT_ID = 1;
/** parent_gen_id sits at the same index in essay and evaluation rows. */
export const PARENT_GEN_ID = 3;

/** A stage row: cells in STAGE_COLUMNS[stage] order. */
export type StageRow = string[];

/** A cohort's membership in memory: one compact array of rows per stage. */
export interface Membership {
  cohortId: string;
  rows: Record<Stage, StageRow[]>;
}

/**
 * Collects rows, keeping the first of each (stage, gen_id). A builder told its gen_ids
 * are `unique` by construction skips the check (it costs a Set of every id).
 */
export class MembershipBuilder {
  readonly rows: Record<Stage, StageRow[]> = { draft: [], essay: [], evaluation: [] };
  private readonly seen: Record<Stage, Set<string>> | undefined;
  duplicates = 0;

  constructor(
    readonly cohortId: string,
    opts: { unique?: boolean } = {},
  ) {
    this.seen = opts.unique ? undefined : { draft: new Set(), essay: new Set(), evaluation: new Set() };
  }

  /** Returns false (and drops the row) when the stage already has this gen_id. */
  add(stage: Stage, row: StageRow): boolean {
    if (this.seen) {
      const ids = this.seen[stage];
      if (ids.has(row[GEN_ID])) {
        this.duplicates++;
        return false;
      }
      ids.add(row[GEN_ID]);
    }
    this.rows[stage].push(row);
    return true;
  }

  build(): Membership {
    return { cohortId: this.cohortId, rows: this.rows };
  }
}

export function rowCounts(m: Membership): Record<Stage, number> {
  return { draft: m.rows.draft.length, essay: m.rows.essay.length, evaluation: m.rows.evaluation.length };
}
