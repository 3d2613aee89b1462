import { GensStoreError } from "./errors.ts";
import type { GenStage } from "./layout.ts";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Keys every metadata.json has, in the order they are written. */
export const BASE_METADATA_KEYS = [
  "stage",
  "gen_id",
  "parent_gen_id",
  "template_id",
  "model_id",
  "task_id",
  "function",
  "run_id",
  "cohort_id",
] as const;

/** The one stage-specific key each stage adds. */
export const STAGE_METADATA_KEY = {
  draft: "combo_id",
  essay: "essay_template",
  evaluation: "evaluation_template",
} as const satisfies Record<GenStage, string>;

type BaseKey = (typeof BASE_METADATA_KEYS)[number];
type StageKey = (typeof STAGE_METADATA_KEY)[GenStage];

/** metadata.json as read: the known keys are strings ("" when absent); other keys kept as written. */
export type GenMetadata = Record<BaseKey, string> &
  Partial<Record<StageKey, string>> & { [key: string]: JsonValue };

/** What a writer passes: known keys as string (null/undefined become ""), plus any JSON extras. */
export type GenMetadataFields = Partial<Record<BaseKey | StageKey, string | null>> & {
  [key: string]: JsonValue | undefined;
};

/**
 * The metadata object for `stage`/`genId`: base keys first, then the stage's own key, then extras
 * (undefined extras dropped). `stage` and `gen_id` in `fields`, when given, must agree.
 */
export function buildMetadata(stage: GenStage, genId: string, fields: GenMetadataFields): GenMetadata {
  const where = { stage, gen_id: genId };
  for (const [key, expected] of [
    ["stage", stage],
    ["gen_id", genId],
  ] as const) {
    const given = fields[key];
    if (given !== undefined && given !== null && given !== expected) {
      throw new GensStoreError(
        "GEN_METADATA_INVALID",
        `metadata ${key} ${JSON.stringify(given)} does not match ${expected}`,
        {
          context: where,
          hint: "write metadata into the directory of the generation it describes",
        },
      );
    }
  }
  const known = [...BASE_METADATA_KEYS, STAGE_METADATA_KEY[stage]] as string[];
  const out: Record<string, JsonValue> = {};
  for (const key of known) {
    const value = key === "stage" ? stage : key === "gen_id" ? genId : fields[key];
    if (value !== undefined && value !== null && typeof value !== "string") {
      throw new GensStoreError(
        "GEN_METADATA_INVALID",
        `metadata field ${key} must be a string, got ${typeof value}`,
        {
          context: { ...where, key },
          hint: "pass identifiers as strings; use an empty string or leave the field out when absent",
        },
      );
    }
    out[key] = value ?? "";
  }
  for (const [key, value] of Object.entries(fields)) {
    if (!known.includes(key) && value !== undefined) out[key] = value;
  }
  return out as GenMetadata;
}

/** Check a parsed metadata.json: an object whose known keys are strings (null read as ""). */
export function readMetadataObject(
  parsed: unknown,
  where: { stage: string; gen_id: string; file: string },
): GenMetadata {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new GensStoreError("GEN_METADATA_INVALID", "metadata.json is not a JSON object", {
      context: where,
      hint: "fix or delete the file and re-materialize the generation",
    });
  }
  const record = parsed as Record<string, JsonValue>;
  const out: Record<string, JsonValue> = { ...record };
  for (const key of [...BASE_METADATA_KEYS, ...Object.values(STAGE_METADATA_KEY)]) {
    const value = record[key];
    if (value === null || (value === undefined && BASE_METADATA_KEYS.includes(key as BaseKey))) {
      out[key] = "";
    } else if (value !== undefined && typeof value !== "string") {
      throw new GensStoreError("GEN_METADATA_INVALID", `metadata.json field ${key} is not a string`, {
        context: { ...where, key },
        hint: "fix or delete the file and re-materialize the generation",
      });
    }
  }
  return out as GenMetadata;
}
