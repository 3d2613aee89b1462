import fs from "node:fs";
import YAML from "yaml";
import { displayPath } from "../config/data-root.ts";
import { writeFileAtomicSync } from "../raw/atomic-file.ts";
import { CohortError } from "./errors.ts";

export type CohortMode = "from_essays" | "cartesian";

/** data/cohorts/<id>/cohort.yaml. */
export interface CohortYaml {
  id: string;
  mode: CohortMode;
  artifact_reuse: "none";
  notes: string;
  created_at: string;
  /** Present (true) only for a curated cohort rebuilt with cohort-scoped draft and essay ids. */
  regenerate?: boolean;
}

/** Write `text` unless the file already holds exactly it; returns whether it wrote. */
export function writeIfChanged(file: string, text: string): boolean {
  if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === text) return false;
  writeFileAtomicSync(file, text);
  return true;
}

/** As the original wrote it (`json.dumps(manifest, ensure_ascii=False, indent=2)`): no trailing newline. */
export function writeManifest(file: string, manifest: unknown): boolean {
  return writeIfChanged(file, JSON.stringify(manifest, null, 2));
}

/** The existing cohort.yaml as a mapping, undefined when absent; a broken file is an error, never overwritten silently. */
export function readCohortYaml(file: string): Record<string, unknown> | undefined {
  if (!fs.existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = YAML.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new CohortError(
      "COHORT_YAML_INVALID",
      `${displayPath(file)} is not valid YAML: ${(err as Error).message}`,
      {
        context: { file: displayPath(file) },
        hint: "fix the file, or delete it to have it written again (created_at is then reset)",
        cause: err,
      },
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new CohortError("COHORT_YAML_INVALID", `${displayPath(file)} is not a YAML mapping`, {
      context: { file: displayPath(file) },
      hint: "fix the file, or delete it to have it written again (created_at is then reset)",
    });
  }
  return parsed as Record<string, unknown>;
}

/** A second-resolution UTC timestamp, as in the plan: 2025-09-09T12:34:56Z. */
export function utcTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Fixed key order and quoting, so unchanged content gives byte-identical files. */
export function formatCohortYaml(c: CohortYaml): string {
  const lines = [
    `id: ${JSON.stringify(c.id)}`,
    `mode: ${c.mode}`,
    `artifact_reuse: ${c.artifact_reuse}`,
    `notes: ${JSON.stringify(c.notes)}`,
    `created_at: ${JSON.stringify(c.created_at)}`,
  ];
  if (c.regenerate) lines.push("regenerate: true");
  return `${lines.join("\n")}\n`;
}

function text(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof Date) return utcTimestamp(value);
  return undefined;
}

/**
 * Create or update cohort.yaml. created_at and notes are kept from an existing file
 * (notes replaced when given); `regenerate` is kept unless given.
 */
export function updateCohortYaml(
  file: string,
  fields: { id: string; mode: CohortMode; notes?: string; regenerate?: boolean },
  now: () => Date = () => new Date(),
): { yaml: CohortYaml; written: boolean } {
  const existing = readCohortYaml(file) ?? {};
  const yaml: CohortYaml = {
    id: fields.id,
    mode: fields.mode,
    artifact_reuse: "none",
    notes: fields.notes ?? text(existing.notes) ?? "",
    created_at: text(existing.created_at) ?? utcTimestamp(now()),
    regenerate: fields.regenerate ?? existing.regenerate === true,
  };
  return { yaml, written: writeIfChanged(file, formatCohortYaml(yaml)) };
}
