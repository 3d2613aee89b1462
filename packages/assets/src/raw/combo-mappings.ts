import fs from "node:fs";
import { object } from "zod";
import { displayPath } from "../config/data-root.ts";
import {
  comboMappingsPath,
  DESCRIPTION_LEVELS,
  type DescriptionLevel,
  selectedComboMappingsPath,
} from "../config/paths.ts";
import { choiceCell, idCell, positiveIntCell, textCell } from "./cells.ts";
import { readValidatedTable } from "./csv-table.ts";
import { RawInputError } from "./errors.ts";

const comboSchema = object({
  combo_id: idCell("combo_id"),
  version: textCell(),
  concept_id: idCell("concept_id"),
  description_level: choiceCell(DESCRIPTION_LEVELS),
  k_max: positiveIntCell("k_max"),
  created_at: textCell(),
});

const REQUIRED = ["combo_id", "concept_id", "description_level", "k_max"];
const COLUMNS = "combo_id,version,concept_id,description_level,k_max,created_at";

/** One concept of one combo, as in combo_mappings.csv (one row per concept). */
export interface ComboMappingRow {
  comboId: string;
  version: string;
  conceptId: string;
  descriptionLevel: DescriptionLevel;
  kMax: number;
  createdAt: string;
  row: number;
  line: number;
}

/** Rows of a combo mappings file; each (combo_id, concept_id) once, one level and k_max per combo. */
export function readComboMappingsFile(file: string): ComboMappingRow[] {
  const rows = readValidatedTable(file, REQUIRED, comboSchema, `columns ${COLUMNS}`).map((r) => ({
    comboId: r.combo_id,
    version: r.version,
    conceptId: r.concept_id,
    descriptionLevel: r.description_level,
    kMax: r.k_max,
    createdAt: r.created_at,
    row: r.row,
    line: r.line,
  }));
  const firstOfCombo = new Map<string, ComboMappingRow>();
  const pairs = new Set<string>();
  for (const r of rows) {
    const pair = `${r.comboId}\u0000${r.conceptId}`;
    if (pairs.has(pair)) {
      throw new RawInputError(
        { file, row: r.row, line: r.line, column: "concept_id" },
        `combo "${r.comboId}" lists concept "${r.conceptId}" twice`,
        "delete the repeated row",
      );
    }
    pairs.add(pair);
    const first = firstOfCombo.get(r.comboId);
    if (!first) {
      firstOfCombo.set(r.comboId, r);
      continue;
    }
    for (const [column, mine, theirs] of [
      ["description_level", r.descriptionLevel, first.descriptionLevel],
      ["k_max", r.kMax, first.kMax],
    ] as const) {
      if (mine !== theirs) {
        throw new RawInputError(
          { file, row: r.row, line: r.line, column },
          `combo "${r.comboId}" has ${column} ${mine} here but ${theirs} in data row ${first.row}`,
          `give every row of a combo the same ${column}`,
        );
      }
    }
  }
  return rows;
}

export interface SelectedComboMappings {
  file: string;
  /** False when data/2_tasks/selected_combo_mappings.csv does not exist (no combos in play). */
  exists: boolean;
  rows: ComboMappingRow[];
  /** Combo ids in first-appearance order. */
  comboIds: string[];
  /** Whether the rows were checked against data/combo_mappings.csv (skipped when it is absent). */
  supersetChecked: boolean;
}

function uniqueComboIds(rows: ComboMappingRow[]): string[] {
  return [...new Set(rows.map((r) => r.comboId))];
}

/**
 * The combos in play. Each selected combo must appear in the superset
 * data/combo_mappings.csv with exactly the same concepts, level and k_max.
 */
export function readSelectedComboMappings(root: string): SelectedComboMappings {
  const file = selectedComboMappingsPath(root);
  if (!fs.existsSync(file)) return { file, exists: false, rows: [], comboIds: [], supersetChecked: false };
  const rows = readComboMappingsFile(file);
  const supersetFile = comboMappingsPath(root);
  const supersetChecked = fs.existsSync(supersetFile);
  if (supersetChecked) assertSubsetOf(file, rows, supersetFile, readComboMappingsFile(supersetFile));
  return { file, exists: true, rows, comboIds: uniqueComboIds(rows), supersetChecked };
}

function assertSubsetOf(
  file: string,
  selected: ComboMappingRow[],
  superFile: string,
  superset: ComboMappingRow[],
): void {
  const supersetFile = displayPath(superFile);
  const byCombo = new Map<string, ComboMappingRow[]>();
  for (const r of superset) {
    const list = byCombo.get(r.comboId);
    if (list) list.push(r);
    else byCombo.set(r.comboId, [r]);
  }
  const selectedByCombo = new Map<string, ComboMappingRow[]>();
  for (const r of selected) {
    const known = byCombo.get(r.comboId);
    if (!known) {
      throw new RawInputError(
        { file, row: r.row, line: r.line, column: "combo_id" },
        `combo "${r.comboId}" is not defined in ${supersetFile}`,
        `add the combo to ${supersetFile} first (it is the superset of every combo), or fix the combo_id`,
      );
    }
    const match = known.find((k) => k.conceptId === r.conceptId);
    if (!match) {
      throw new RawInputError(
        { file, row: r.row, line: r.line, column: "concept_id" },
        `combo "${r.comboId}" has no concept "${r.conceptId}" in ${supersetFile}`,
        `copy the combo's rows from ${supersetFile} unchanged`,
      );
    }
    if (match.descriptionLevel !== r.descriptionLevel || match.kMax !== r.kMax) {
      throw new RawInputError(
        {
          file,
          row: r.row,
          line: r.line,
          column: match.descriptionLevel !== r.descriptionLevel ? "description_level" : "k_max",
        },
        `combo "${r.comboId}" differs from ${supersetFile} (level ${match.descriptionLevel}, k_max ${match.kMax})`,
        `copy the combo's rows from ${supersetFile} unchanged`,
      );
    }
    const list = selectedByCombo.get(r.comboId);
    if (list) list.push(r);
    else selectedByCombo.set(r.comboId, [r]);
  }
  for (const [comboId, rows] of selectedByCombo) {
    const expected = byCombo.get(comboId)!;
    if (rows.length !== expected.length) {
      const missing = expected
        .filter((e) => !rows.some((r) => r.conceptId === e.conceptId))
        .map((e) => e.conceptId);
      const first = rows[0];
      throw new RawInputError(
        { file, row: first.row, line: first.line, column: "concept_id" },
        `combo "${comboId}" lacks concept(s) ${missing.join(", ")} that ${supersetFile} lists`,
        `copy all of the combo's rows from ${supersetFile}`,
      );
    }
  }
}
