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

// Letters, digits, `.`, `_`, `-`, starting with a letter or digit: one plain directory name
// on every OS (no separators, no `.`/`..`, no spaces or control characters).
const GEN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_GEN_ID_LENGTH = 255;

export function validateStage(stage: string): GenStage {
  if (!(GEN_STAGES as readonly string[]).includes(stage)) {
    throw new GensStoreError("GEN_STAGE_INVALID", `unknown generation stage ${JSON.stringify(stage)}`, {
      context: { stage },
      hint: `use one of ${GEN_STAGES.join(", ")}`,
    });
  }
  return stage as GenStage;
}

/** A gen_id becomes a directory name, so it is checked before any path is built from it. */
export function validateGenId(genId: string, stage?: string): string {
  if (typeof genId !== "string" || genId.length > MAX_GEN_ID_LENGTH || !GEN_ID.test(genId)) {
    throw new GensStoreError("GEN_ID_INVALID", `invalid gen_id ${JSON.stringify(genId)}`, {
      context: { stage, gen_id: String(genId) },
      hint:
        "a gen_id is one directory name of letters, digits, '.', '_' or '-' (at most 255), starting with a " +
        "letter or digit, as reserve_gen_id produces; check the task table row",
    });
  }
  return genId;
}

/** The assets whose materialization writes each file, for "materialize X first" hints. */
export function producerAsset(stage: GenStage, file: GenFileKind): string {
  return `${stage}_${file === "prompt" ? "prompt" : "response"}`;
}
