import { displayPath } from "../config/data-root.ts";
import type { Stage } from "../config/paths.ts";
import { MembershipIntegrityError } from "./errors.ts";
import { GEN_ID, type Membership, PARENT_GEN_ID } from "./membership-schema.ts";

export const SAMPLE_SIZE = 5;

export interface ParentViolation {
  stage: "essay" | "evaluation";
  genId: string;
  parentGenId: string;
  /** Line in membership.csv, when the rows were read from a file. */
  line?: number;
}

export interface IntegrityReport {
  counts: { essay: number; evaluation: number };
  /** The first SAMPLE_SIZE offending rows, essays first. */
  sample: ParentViolation[];
}

/** Line numbers of the rows of each stage, when a membership was read from a file. */
export type RowLines = Partial<Record<Stage, number[]>>;

/**
 * Every essay's parent must be a draft gen_id of the same membership and every
 * evaluation's parent an essay gen_id; returns the violations found.
 */
export function checkParentIntegrity(m: Membership, lines: RowLines = {}): IntegrityReport {
  const report: IntegrityReport = { counts: { essay: 0, evaluation: 0 }, sample: [] };
  const check = (stage: "essay" | "evaluation", parentStage: Stage) => {
    const parents = new Set(m.rows[parentStage].map((r) => r[GEN_ID]));
    const rows = m.rows[stage];
    for (let i = 0; i < rows.length; i++) {
      const parent = rows[i][PARENT_GEN_ID];
      if (parents.has(parent)) continue;
      report.counts[stage]++;
      if (report.sample.length < SAMPLE_SIZE) {
        report.sample.push({ stage, genId: rows[i][GEN_ID], parentGenId: parent, line: lines[stage]?.[i] });
      }
    }
  };
  check("essay", "draft");
  check("evaluation", "essay");
  return report;
}

function describeViolation(v: ParentViolation): string {
  const parentStage = v.stage === "essay" ? "draft" : "essay";
  const where = v.line === undefined ? "" : ` (line ${v.line})`;
  return `${v.stage} ${v.genId}${where} has parent_gen_id "${v.parentGenId}", not a ${parentStage} gen_id of the cohort`;
}

/**
 * Throws MembershipIntegrityError with counts per stage and the first offending rows. The
 * message is one line: a run's summary (terminal and --json) shows a failure's first line.
 */
export function assertParentIntegrity(m: Membership, opts: { file?: string; lines?: RowLines } = {}): void {
  const report = checkParentIntegrity(m, opts.lines);
  const { essay, evaluation } = report.counts;
  if (essay === 0 && evaluation === 0) return;
  const where = opts.file ? ` in ${displayPath(opts.file)}` : "";
  const message =
    `cohort ${m.cohortId}: parent integrity violated${where}: ` +
    `${essay} essay row(s) without their parent draft, ${evaluation} evaluation row(s) without their parent essay; ` +
    `first ${report.sample.length} offending row(s): ${report.sample.map(describeViolation).join("; ")}`;
  throw new MembershipIntegrityError("MEMBERSHIP_PARENT_MISSING", message, {
    context: {
      cohort: m.cohortId,
      file: opts.file ? displayPath(opts.file) : undefined,
      essay_violations: essay,
      evaluation_violations: evaluation,
      line: report.sample[0]?.line,
    },
    hint:
      "every essay's parent_gen_id must be a draft gen_id and every evaluation's an essay gen_id of the same membership; " +
      "add the missing parent rows or remove the orphans, then materialize again",
  });
}
