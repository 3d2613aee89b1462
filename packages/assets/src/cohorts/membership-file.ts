import fs from "node:fs";
import { displayPath } from "../config/data-root.ts";
import type { Stage } from "../config/paths.ts";
import { assertSafeId, UnsafeIdError } from "../ids.ts";
import { AtomicCsvWriter } from "../raw/atomic-file.ts";
import { CsvSyntaxError, formatCsvCell, isBlankRecord, parseCsv } from "../raw/csv-text.ts";
import { CohortError } from "./errors.ts";
import { assertParentIntegrity } from "./integrity.ts";
import {
  COHORT_ID,
  GEN_ID,
  MEMBERSHIP_COLUMNS,
  type Membership,
  MembershipBuilder,
  PARENT_GEN_ID,
  REPLICATE_COLUMN,
  REQUIRED_CELLS,
  replicateIndex,
  STAGE_COLUMNS,
  type StageRow,
} from "./membership-schema.ts";

/** For each stage, where each membership column comes from in a stage row (-1: empty cell). */
const UNION_SOURCE: Record<Stage, number[]> = {
  draft: MEMBERSHIP_COLUMNS.slice(1).map((c) => (STAGE_COLUMNS.draft as readonly string[]).indexOf(c)),
  essay: MEMBERSHIP_COLUMNS.slice(1).map((c) => (STAGE_COLUMNS.essay as readonly string[]).indexOf(c)),
  evaluation: MEMBERSHIP_COLUMNS.slice(1).map((c) =>
    (STAGE_COLUMNS.evaluation as readonly string[]).indexOf(c),
  ),
};

/**
 * Streams the membership into membership.csv atomically: drafts and essays (in stage
 * order, or as chains, see Membership.order), then evaluations; a replicated membership
 * adds the replicate column last. An unchanged file is left as it is; `beforeReplace`
 * runs before a changed one is replaced. Returns whether the file changed.
 */
export function writeMembershipCsv(file: string, m: Membership, beforeReplace?: () => void): boolean {
  const writer = new AtomicCsvWriter(
    file,
    m.replicated ? [...MEMBERSHIP_COLUMNS, REPLICATE_COLUMN] : MEMBERSHIP_COLUMNS,
  );
  const write = (stage: Stage, row: StageRow) => {
    let line = stage;
    for (const k of UNION_SOURCE[stage]) line += k < 0 ? "," : `,${formatCsvCell(row[k])}`;
    if (m.replicated) line += `,${row[replicateIndex(stage)]}`;
    writer.writeLine(`${line}\n`);
  };
  try {
    if (m.order === "chains") writeChains(m, write);
    else for (const stage of ["draft", "essay"] as const) for (const row of m.rows[stage]) write(stage, row);
    for (const row of m.rows.evaluation) write("evaluation", row);
  } catch (err) {
    writer.abort();
    throw err;
  }
  return writer.commitIfChanged({ beforeReplace });
}

/** Each essay preceded by its draft the first time that draft is a parent; drafts no essay names follow. */
function writeChains(m: Membership, write: (stage: Stage, row: StageRow) => void): void {
  const drafts = new Map(m.rows.draft.map((row) => [row[GEN_ID], row]));
  for (const essay of m.rows.essay) {
    const draft = drafts.get(essay[PARENT_GEN_ID]);
    if (draft) {
      write("draft", draft);
      drafts.delete(essay[PARENT_GEN_ID]);
    }
    write("essay", essay);
  }
  for (const draft of drafts.values()) write("draft", draft);
}

function formatError(
  file: string,
  problem: string,
  hint: string,
  at: { line?: number; column?: string } = {},
): CohortError {
  const where = [
    displayPath(file),
    at.line !== undefined ? `line ${at.line}` : "",
    at.column ? `column "${at.column}"` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return new CohortError("MEMBERSHIP_INVALID", `${where}: ${problem}`, {
    context: { file: displayPath(file), line: at.line, column: at.column },
    hint,
  });
}

// The shape reserve_gen_id produces: checked cheaply, the general rule only for anything else.
const PLAIN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;
const looksSafe = (id: string) => PLAIN_ID.test(id);

const REBUILD = "fix the file, or materialize cohort_membership again to rebuild it";

function readText(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    throw formatError(file, `cannot read the membership (${(err as NodeJS.ErrnoException).code})`, REBUILD);
  }
}

/** A replicate cell of membership.csv: a whole number >= 1. */
function checkReplicate(file: string, cell: string, line: number): void {
  if (/^[1-9][0-9]*$/.test(cell)) return;
  throw formatError(file, `replicate "${cell}" is not a whole number >= 1`, REBUILD, {
    line,
    column: REPLICATE_COLUMN,
  });
}

/**
 * Read and check a membership.csv: known stages, required cells filled, gen_ids safe,
 * every row of this cohort, identical repeats of a (stage, gen_id) dropped (conflicting
 * ones are an error), then strict parent integrity. Columns the file lacks read as
 * empty cells; a replicate column makes the membership replicated.
 */
export function readMembershipCsv(file: string, cohortId: string): Membership {
  let builder = new MembershipBuilder(cohortId, { file });
  let replicated = false;
  let header: string[] | undefined;
  let picks: Record<Stage, number[]> | undefined;
  let stageIndex = -1;
  const required: Record<Stage, number[]> = {
    draft: REQUIRED_CELLS.draft.map((c) => (STAGE_COLUMNS.draft as readonly string[]).indexOf(c)),
    essay: REQUIRED_CELLS.essay.map((c) => (STAGE_COLUMNS.essay as readonly string[]).indexOf(c)),
    evaluation: REQUIRED_CELLS.evaluation.map((c) =>
      (STAGE_COLUMNS.evaluation as readonly string[]).indexOf(c),
    ),
  };
  try {
    parseCsv(readText(file), (fields, line) => {
      if (isBlankRecord(fields)) return;
      if (header === undefined) {
        header = fields;
        for (const column of ["stage", "gen_id", "cohort_id"]) {
          if (!header.includes(column))
            throw formatError(file, `the header lacks the "${column}" column`, REBUILD, { line, column });
        }
        stageIndex = header.indexOf("stage");
        replicated = header.includes(REPLICATE_COLUMN);
        builder = new MembershipBuilder(cohortId, { file, replicated });
        const h = header;
        const pick = (stage: Stage) =>
          [...STAGE_COLUMNS[stage], ...(replicated ? [REPLICATE_COLUMN] : [])].map((c) => h.indexOf(c));
        picks = { draft: pick("draft"), essay: pick("essay"), evaluation: pick("evaluation") };
        return;
      }
      const stage = fields[stageIndex] as Stage;
      const pick = picks![stage];
      if (pick === undefined) {
        throw formatError(
          file,
          `unknown stage "${fields[stageIndex] ?? ""}"`,
          "stage must be draft, essay or evaluation",
          {
            line,
            column: "stage",
          },
        );
      }
      const row = pick.map((k) => (k < 0 ? "" : (fields[k] ?? "")));
      for (const k of required[stage]) {
        if (row[k] === "") {
          const column = STAGE_COLUMNS[stage][k];
          throw formatError(file, `${stage} row has an empty ${column}`, `fill in ${column}; ${REBUILD}`, {
            line,
            column,
          });
        }
      }
      if (row[COHORT_ID] !== cohortId) {
        throw formatError(
          file,
          `row belongs to cohort "${row[COHORT_ID]}", not "${cohortId}"`,
          `set cohort_id to ${cohortId} on every row`,
          {
            line,
            column: "cohort_id",
          },
        );
      }
      try {
        if (!looksSafe(row[GEN_ID])) assertSafeId(row[GEN_ID], "gen_id");
      } catch (err) {
        if (!(err instanceof UnsafeIdError)) throw err;
        throw formatError(
          file,
          err.message,
          "gen_ids become partition keys and directory names; fix the id",
          { line, column: "gen_id" },
        );
      }
      if (replicated) checkReplicate(file, row[replicateIndex(stage)], line);
      builder.add(stage, row, line);
    });
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw formatError(file, err.problem, REBUILD, { line: err.line });
    throw err;
  }
  if (header === undefined) throw formatError(file, "the file is empty", REBUILD);
  const membership = builder.build();
  assertParentIntegrity(membership, { file, lines: builder.lines });
  return membership;
}

export type PreviousMembers = { ok: true; ids: Record<Stage, Set<string>> } | { ok: false; reason: string };

/** The (stage, gen_id) pairs of an existing membership.csv, to report what a rebuild drops. */
export function readPreviousMembers(file: string): PreviousMembers | undefined {
  if (!fs.existsSync(file)) return undefined;
  const ids: Record<Stage, Set<string>> = { draft: new Set(), essay: new Set(), evaluation: new Set() };
  let stageIndex = -1;
  let genIndex = -1;
  try {
    parseCsv(fs.readFileSync(file, "utf8"), (fields) => {
      if (isBlankRecord(fields)) return;
      if (stageIndex < 0) {
        stageIndex = fields.indexOf("stage");
        genIndex = fields.indexOf("gen_id");
        if (stageIndex < 0 || genIndex < 0) throw new Error("the header lacks stage or gen_id");
        return;
      }
      ids[fields[stageIndex] as Stage]?.add(fields[genIndex] ?? "");
    });
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  return { ok: true, ids };
}
