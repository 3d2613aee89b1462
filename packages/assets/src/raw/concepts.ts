import { object } from "zod";
import { conceptDescriptionPath, conceptsMetadataPath, type DescriptionLevel } from "../config/paths.ts";
import { booleanCell, idCell, requiredTextCell } from "./cells.ts";
import { assertUniqueKey, readValidatedTable } from "./csv-table.ts";
import { readLimitedInputFile } from "./text-file.ts";

const conceptSchema = object({
  concept_id: idCell("concept_id"),
  name: requiredTextCell("name"),
  active: booleanCell(true),
});

export interface Concept {
  conceptId: string;
  name: string;
  active: boolean;
  row: number;
  line: number;
}

/** Every concept of concepts_metadata.csv (active or not), in file order. */
export function readConcepts(root: string): Concept[] {
  const file = conceptsMetadataPath(root);
  const rows = readValidatedTable(
    file,
    ["concept_id", "name"],
    conceptSchema,
    "columns concept_id,name,active",
  );
  assertUniqueKey(file, rows, "concept_id", (r) => r.concept_id);
  return rows.map((r) => ({
    conceptId: r.concept_id,
    name: r.name,
    active: r.active,
    row: r.row,
    line: r.line,
  }));
}

/** Universal newlines, as Python's text mode reads files. */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

/**
 * The description at one level, stripped; undefined when the file does not exist. Strict
 * UTF-8 and at most DD_MAX_INPUT_FILE_BYTES (it is pasted into every prompt of its combos).
 */
export function readConceptDescription(
  root: string,
  conceptId: string,
  level: DescriptionLevel,
): string | undefined {
  const text = readLimitedInputFile(conceptDescriptionPath(root, level, conceptId), "concept description");
  return text === undefined ? undefined : normalizeNewlines(text).trim();
}

/**
 * What a draft prompt shows for a concept: the first non-empty description among the
 * requested level, paragraph and sentence, else the concept's name (`article` only
 * when it is the level asked for).
 */
export function resolveConceptContent(
  root: string,
  concept: Pick<Concept, "conceptId" | "name">,
  level: DescriptionLevel,
): string {
  const order: DescriptionLevel[] = [level, "paragraph", "sentence"];
  for (const candidate of order) {
    const text = readConceptDescription(root, concept.conceptId, candidate);
    if (text) return text;
  }
  return concept.name;
}
