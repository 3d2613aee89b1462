import { PartitionError, validatePartitionKey } from "@daydream/core";
import { GensStoreError } from "./errors.ts";

export const GEN_STAGES = ["draft", "essay", "evaluation"] as const;
export type GenStage = (typeof GEN_STAGES)[number];

export const GEN_FILES = {
  prompt: "prompt.txt",
  raw: "raw.txt",
  parsed: "parsed.txt",
  metadata: "metadata.json",
} as const;
export type GenFileKind = keyof typeof GEN_FILES;
export type GenFileName = (typeof GEN_FILES)[GenFileKind];

export function validateStage(stage: string): GenStage {
  if (!(GEN_STAGES as readonly string[]).includes(stage)) {
    throw new GensStoreError("GEN_STAGE_INVALID", `unknown generation stage ${JSON.stringify(stage)}`, {
      context: { stage },
      hint: `use one of ${GEN_STAGES.join(", ")}`,
    });
  }
  return stage as GenStage;
}

/**
 * A gen_id is a partition key and becomes a directory name, so it is checked against the
 * partition-key rule (the one `assets partitions add` and the UI apply) before any path is
 * built from it.
 */
export function validateGenId(genId: string, stage?: string): string {
  try {
    validatePartitionKey(genId, { what: "gen_id" });
  } catch (err) {
    if (!(err instanceof PartitionError)) throw err;
    throw new GensStoreError("GEN_ID_INVALID", err.message, {
      context: { stage, gen_id: String(genId) },
      hint: `${err.hint}; check the task table row that names it`,
      cause: err,
    });
  }
  return genId;
}

/** The assets whose materialization writes each file, for "materialize X first" hints. */
export function producerAsset(stage: GenStage, file: GenFileKind): string {
  return `${stage}_${file === "prompt" ? "prompt" : "response"}`;
}
