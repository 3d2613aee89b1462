import { displayPath } from "../config/data-root.ts";
import type { Stage } from "../config/paths.ts";
import { MembershipConflictError } from "./errors.ts";

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

/** Written last in membership.csv and the task tables, only when data/1_raw/replication_config.csv exists. */
export const REPLICATE_COLUMN = "replicate";

/** Index of the replicate cell in a stage row of a replicated membership (after the stage's columns). */
export function replicateIndex(stage: Stage): number {
  return STAGE_COLUMNS[stage].length;
}

/** The replicate of a stage row: its replicate cell, or 1 in a membership without replicates. */
export function rowReplicate(stage: Stage, row: StageRow): number {
  const cell = row[replicateIndex(stage)];
  return cell === undefined ? 1 : Number(cell);
}

/** A stage row: cells in STAGE_COLUMNS[stage] order (then the replicate, in a replicated membership). */
export type StageRow = string[];

/** A cohort's membership in memory: one compact array of rows per stage. */
export interface Membership {
  cohortId: string;
  rows: Record<Stage, StageRow[]>;
  /**
   * How membership.csv orders drafts and essays. Absent: all drafts, then all essays.
   * "chains": each essay preceded by its draft (where that draft first appears), as the
   * original wrote a regenerated curated cohort. Evaluations always come last.
   */
  order?: "chains";
  /** Built with a replication file: every row ends with its replicate cell (see replicateIndex). */
  replicated?: boolean;
}

/**
 * Collects rows, keeping the first of each (stage, gen_id): a repeated row with the same
 * cells is dropped, one with different cells is an error naming both. A builder told its
 * gen_ids are `unique` by construction skips the check (it costs a Map of every id).
 */
export class MembershipBuilder {
  readonly rows: Record<Stage, StageRow[]> = { draft: [], essay: [], evaluation: [] };
  /** Line of each kept row in the file it was read from (filled only when add() is given lines). */
  readonly lines: Record<Stage, number[]> = { draft: [], essay: [], evaluation: [] };
  private readonly seen: Record<Stage, Map<string, number>> | undefined;
  private readonly file: string | undefined;
  readonly replicated: boolean;
  duplicates = 0;

  constructor(
    readonly cohortId: string,
    opts: { unique?: boolean; file?: string; replicated?: boolean } = {},
  ) {
    this.seen = opts.unique ? undefined : { draft: new Map(), essay: new Map(), evaluation: new Map() };
    this.file = opts.file;
    this.replicated = opts.replicated === true;
  }

  /** Returns false (and drops the row) when the stage already has this gen_id with the same cells. */
  add(stage: Stage, row: StageRow, line?: number): boolean {
    if (this.seen) {
      const ids = this.seen[stage];
      const kept = ids.get(row[GEN_ID]);
      if (kept !== undefined) {
        const first = this.rows[stage][kept];
        if (row.some((cell, k) => cell !== first[k])) {
          throw this.conflict(stage, first, row, this.lines[stage][kept], line);
        }
        this.duplicates++;
        return false;
      }
      ids.set(row[GEN_ID], this.rows[stage].length);
    }
    this.rows[stage].push(row);
    if (line !== undefined) this.lines[stage].push(line);
    return true;
  }

  build(order?: Membership["order"]): Membership {
    const m: Membership = { cohortId: this.cohortId, rows: this.rows };
    if (order) m.order = order;
    if (this.replicated) m.replicated = true;
    return m;
  }

  private conflict(
    stage: Stage,
    first: StageRow,
    second: StageRow,
    firstLine: number | undefined,
    secondLine: number | undefined,
  ): MembershipConflictError {
    const columns: readonly string[] = [...STAGE_COLUMNS[stage], REPLICATE_COLUMN];
    const differences = columns
      .map((column, k) => ({ column, a: first[k], b: second[k] }))
      .filter((d) => d.a !== d.b);
    const where = this.file ? displayPath(this.file) : `cohort ${this.cohortId}`;
    const rows =
      firstLine !== undefined && secondLine !== undefined ? ` (lines ${firstLine} and ${secondLine})` : "";
    const what = differences
      .map((d) => `${d.column} ${JSON.stringify(d.a)} vs ${JSON.stringify(d.b)}`)
      .join(", ");
    return new MembershipConflictError(
      "MEMBERSHIP_DUPLICATE_CONFLICT",
      `${where}: two ${stage} rows for gen_id ${first[GEN_ID]}${rows} differ: ${what}`,
      {
        context: {
          file: this.file ? displayPath(this.file) : undefined,
          cohort: this.cohortId,
          stage,
          gen_id: first[GEN_ID],
          line: firstLine,
          other_line: secondLine,
          column: differences[0]?.column,
        },
        hint: this.file
          ? "a gen_id names one generation: delete the wrong row (identical repeats are tolerated), or materialize cohort_membership again to rebuild the file"
          : 'task ids join ids with "__", so two different tasks got one task id and one gen_id: rename the combo, template or model id that contains "__" (or starts or ends with "_")',
      },
    );
  }
}

export function rowCounts(m: Membership): Record<Stage, number> {
  return { draft: m.rows.draft.length, essay: m.rows.essay.length, evaluation: m.rows.evaluation.length };
}
