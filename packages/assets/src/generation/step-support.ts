/** What every generation asset shares: its declaration's common fields and step set-up. */
import { type AssetContext, AssetsError, type RetryPolicy } from "@daydream/core";
import { GEN_PARTITIONS } from "../cohorts/partitions.ts";
import { dataRoot, displayPath } from "../config/data-root.ts";
import type { GenStage } from "../gens/layout.ts";
import { GensStore } from "../gens/store.ts";
import { GENS_IO } from "./gens-io.ts";
import { LLM_RESOURCE } from "./llm-resource.ts";
import { removeStaleTempFiles } from "./stale-temp-files.ts";

/**
 * Step-level retries for transient LLM failures that outlived the client's own retries
 * (LlmError.retryable: rate limits, 5xx, timeouts); stage-rule failures are never retried.
 */
export const LLM_STEP_RETRY: RetryPolicy = { maxAttempts: 3, delayMs: 2_000, backoff: 4 };

/** The gen_id a step works on: its partition key. */
function genIdOf(ctx: Pick<AssetContext, "assetKey" | "partitionKey">): string {
  if (ctx.partitionKey !== undefined) return ctx.partitionKey;
  throw new AssetsError("PARTITION_REQUIRED", `asset ${ctx.assetKey} runs once per gen_id`, {
    context: { asset: ctx.assetKey },
    hint: `materialize it with --partition <gen_id>, --missing or --all-partitions`,
  });
}

/** The generation directory for metadata, relative to the working directory when below it. */
export function genDirOf(store: GensStore, stage: GenStage, genId: string): string {
  return displayPath(store.dir(stage, genId));
}

/** The declaration fields every `<stage>_prompt` asset shares. */
export function promptAssetBase(stage: GenStage) {
  return {
    partitions: GEN_PARTITIONS[stage],
    io: GENS_IO,
    kinds: ["text"],
  };
}

/** The declaration fields every `<stage>_response` asset shares. */
export function responseAssetBase(stage: GenStage) {
  return {
    partitions: GEN_PARTITIONS[stage],
    io: GENS_IO,
    resources: [LLM_RESOURCE],
    retry: LLM_STEP_RETRY,
    kinds: ["llm", "text"],
  };
}

export interface GenStep {
  /** The data root as it is now. */
  root: string;
  genId: string;
  store: GensStore;
}

/**
 * Set-up of one generation step: its gen_id, the store, and the generation directory cleared
 * of temp files a killed earlier writer left behind.
 */
export function beginGenStep(ctx: Pick<AssetContext, "assetKey" | "partitionKey">, stage: GenStage): GenStep {
  const root = dataRoot();
  const genId = genIdOf(ctx);
  const store = new GensStore(root);
  removeStaleTempFiles(store.dir(stage, genId));
  return { root, genId, store };
}
