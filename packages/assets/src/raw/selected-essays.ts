import fs from "node:fs";
import { selectedEssaysPath } from "../config/paths.ts";
import { assertSafeId, UnsafeIdError } from "../ids.ts";
import { normalizeNewlines } from "./concepts.ts";
import { readRawText } from "./csv-table.ts";
import { RawInputError } from "./errors.ts";

export interface SelectedEssays {
  file: string;
  /** Essay gen_ids in file order, each once. */
  ids: string[];
  /** The line each id was read from. */
  lines: number[];
}

/**
 * data/2_tasks/selected_essays.txt, or undefined when the file does not exist (Path B).
 * One essay gen_id per line; blank lines and lines starting with `#` are ignored.
 */
export function readSelectedEssays(root: string): SelectedEssays | undefined {
  const file = selectedEssaysPath(root);
  if (!fs.existsSync(file)) return undefined;
  const text = normalizeNewlines(readRawText(file, "one essay gen_id per line"));
  const ids: string[] = [];
  const lines: number[] = [];
  const seen = new Set<string>();
  text.split("\n").forEach((raw, index) => {
    const id = raw.trim();
    if (id === "" || id.startsWith("#")) return;
    try {
      assertSafeId(id, "essay gen_id");
    } catch (err) {
      if (!(err instanceof UnsafeIdError)) throw err;
      throw new RawInputError(
        { file, line: index + 1 },
        err.message,
        "write one essay gen_id per line (ids from data/gens/essay/)",
        {
          code: "SELECTED_ESSAY_ID_INVALID",
          cause: err,
        },
      );
    }
    if (seen.has(id)) return;
    seen.add(id);
    ids.push(id);
    lines.push(index + 1);
  });
  if (ids.length === 0) {
    throw new RawInputError(
      { file },
      "the file lists no essay gen_ids (only blank or # comment lines)",
      "add one essay gen_id per line, or delete the file to build a Cartesian cohort from the active axes",
      { code: "SELECTED_ESSAYS_EMPTY" },
    );
  }
  return { file, ids, lines };
}
