/**
 * Reads data/cohorts/<id>/membership.csv into compact rows (only the columns
 * the UI shows), cached by file modification time: membership of a large
 * cohort is tens of thousands of rows and changes rarely.
 */
import { readFileSync, statSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { UiDataError } from "../errors.ts";
import { STAGES, type Stage } from "./ids.ts";

export interface MemberRow {
  stage: Stage;
  genId: string;
  parentGenId: string;
  comboId: string;
  draftTemplate: string;
  essayTemplate: string;
  generationModel: string;
  evaluationTemplate: string;
  evaluationModel: string;
  /** The row's replicate (membership.csv's replicate column; 1 without one). */
  replicate: number;
}

interface CacheEntry {
  mtimeMs: number;
  size: number;
  rows: MemberRow[];
}

const CACHED_FILES = 8;
const cache = new Map<string, CacheEntry>();

export function readMembership(file: string): MemberRow[] {
  const stat = statSync(file);
  const cached = cache.get(file);
  if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.rows;
  const rows = parseMembership(file, readFileSync(file, "utf8"));
  if (cache.size >= CACHED_FILES) cache.delete(cache.keys().next().value as string);
  cache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, rows });
  return rows;
}

function parseMembership(file: string, text: string): MemberRow[] {
  try {
    return dedupe(parseRows(file, text));
  } catch (err) {
    if (err instanceof UiDataError) throw err;
    throw new UiDataError("membership_csv", `cannot read ${file}: ${(err as Error).message}`, {
      context: { file },
      hint: "every row needs the header's columns; rebuild it by materializing cohort_membership",
      cause: err,
    });
  }
}

function parseRows(file: string, text: string): MemberRow[] {
  let line = 1;
  return parse(text, {
    columns: true,
    skip_empty_lines: true,
    on_record: (record: Record<string, string>) => {
      line++;
      const stage = record.stage;
      if (!(STAGES as readonly string[]).includes(stage)) {
        throw new UiDataError("membership_stage", `membership row has unknown stage "${stage}"`, {
          context: { file, row: line, column: "stage" },
          hint: `stage must be one of ${STAGES.join(", ")}; rebuild it by materializing cohort_membership`,
        });
      }
      if (!record.gen_id) {
        throw new UiDataError("membership_gen_id", "membership row has an empty gen_id", {
          context: { file, row: line, column: "gen_id" },
          hint: "rebuild it by materializing cohort_membership",
        });
      }
      return {
        stage: stage as Stage,
        genId: record.gen_id,
        parentGenId: record.parent_gen_id ?? "",
        comboId: record.combo_id ?? "",
        draftTemplate: record.draft_template ?? "",
        essayTemplate: record.essay_template ?? "",
        generationModel: record.generation_model ?? "",
        evaluationTemplate: record.evaluation_template ?? "",
        evaluationModel: record.evaluation_model ?? "",
        replicate: replicateOf(file, line, record.replicate),
      } satisfies MemberRow;
    },
  }) as MemberRow[];
}

function replicateOf(file: string, line: number, cell: string | undefined): number {
  if (cell === undefined || cell === "") return 1;
  if (/^[1-9][0-9]*$/.test(cell)) return Number(cell);
  throw new UiDataError(
    "membership_replicate",
    `membership row has replicate "${cell}", not a whole number >= 1`,
    {
      context: { file, row: line, column: "replicate" },
      hint: "rebuild it by materializing cohort_membership",
    },
  );
}

/** The plan tolerates duplicate rows: dedupe by (stage, gen_id). */
function dedupe(rows: MemberRow[]): MemberRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const id = `${row.stage}:${row.genId}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
