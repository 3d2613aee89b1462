import fs from "node:fs";
import path from "node:path";
import { displayPath } from "../config/data-root.ts";
import { STAGES, type Stage } from "../config/paths.ts";
import { parseRawTable, readRawText } from "./csv-table.ts";
import { RawInputError } from "./errors.ts";

/** Replicates per stage, read from data/1_raw/replication_config.csv. */
export interface ReplicationConfig {
  /** Absolute path of the file. */
  file: string;
  replicates: Record<Stage, number>;
}

/** data/1_raw/replication_config.csv: optional; without it every stage has one replicate. */
export function replicationConfigPath(root: string): string {
  return path.join(root, "1_raw", "replication_config.csv");
}

const HINT_ROWS = "write one row per stage (draft, essay, evaluation), e.g. `evaluation,3`";

/**
 * The replicate counts, or undefined when the file does not exist (then nothing changes:
 * one replicate per stage and no replicate column anywhere). Stage names are trimmed, a
 * stage listed twice takes its last row; a missing stage, an unknown stage or a count
 * that is not a whole number >= 1 fails naming the file, row and value.
 */
export function readReplicationConfig(root: string): ReplicationConfig | undefined {
  const file = replicationConfigPath(root);
  if (!fs.existsSync(file)) return undefined;
  const table = parseRawTable(file, readRawText(file, HINT_ROWS), ["stage", "replicates"]);
  const found: Partial<Record<Stage, number>> = {};
  for (const record of table.records) {
    const stage = record.cells.stage;
    const where = { file, row: record.row, line: record.line };
    if (!(STAGES as readonly string[]).includes(stage)) {
      throw new RawInputError(
        { ...where, column: "stage" },
        `unknown stage "${stage}"`,
        `stage must be one of ${STAGES.join(", ")}`,
        { code: "REPLICATION_CONFIG_INVALID" },
      );
    }
    const raw = record.cells.replicates;
    if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) < 1) {
      throw new RawInputError(
        { ...where, column: "replicates" },
        `replicates of stage ${stage} must be a whole number >= 1, got "${raw}"`,
        "write the number of replicates, e.g. 1 for none or 3 for three samples",
        { code: "REPLICATION_CONFIG_INVALID" },
      );
    }
    found[stage as Stage] = Number(raw);
  }
  const missing = STAGES.filter((s) => found[s] === undefined);
  if (missing.length > 0) {
    throw new RawInputError(
      { file },
      `no row for stage ${missing.join(", ")}`,
      `${HINT_ROWS}; delete ${displayPath(file)} to run one replicate per stage`,
      { code: "REPLICATION_CONFIG_INVALID" },
    );
  }
  return { file, replicates: found as Record<Stage, number> };
}
