import { AssetsError, type InputContext, type IOManager, type StoredPartitionsContext } from "@daydream/core";
import { dataRoot } from "../config/data-root.ts";
import type { GenStage } from "../gens/layout.ts";
import { genIdsWith } from "../gens/stage-scan.ts";
import { GensStore } from "../gens/store.ts";
import { readGenText } from "./gen-text.ts";

/** IO manager key (registered in definitions.ts) of the six generation assets. */
export const GENS_IO = "gens_store";

/** Which file of which stage holds each generation asset's value. */
const FILE_OF_ASSET: Record<string, { stage: GenStage; file: "prompt" | "parsed" }> = {
  draft_prompt: { stage: "draft", file: "prompt" },
  draft_response: { stage: "draft", file: "parsed" },
  essay_prompt: { stage: "essay", file: "prompt" },
  essay_response: { stage: "essay", file: "parsed" },
  evaluation_prompt: { stage: "evaluation", file: "prompt" },
  evaluation_response: { stage: "evaluation", file: "parsed" },
};

function targetOf(ctx: { assetKey: string; partitionKey?: string }, partitioned: boolean) {
  const target = FILE_OF_ASSET[ctx.assetKey];
  if (target && partitioned) return target;
  throw new AssetsError(
    "GENS_IO_UNSUPPORTED",
    `the gens store IO manager cannot load asset ${ctx.assetKey}`,
    {
      context: { asset: ctx.assetKey, partition: ctx.partitionKey },
      hint: `use io "${GENS_IO}" only for the partitioned prompt and response assets`,
      userError: false,
    },
  );
}

/**
 * The generations store as an IO manager. Computes write their own files (raw.txt must
 * land before validation, parsed.txt last), so storing a value is a no-op and no text is
 * held in memory between steps; loading reads prompt.txt or parsed.txt back, which lets a
 * response run in a later run (or process) than its prompt. The store is the truth about
 * which generations exist: a response exists when its parsed.txt does, a prompt when its
 * prompt.txt does or the generation is finished (re-rendering a finished generation's prompt
 * from templates edited since would make prompt.txt disagree with the response it produced).
 */
export function gensIOManager(): IOManager {
  return {
    handleOutput: () => {},
    loadInput: (ctx: InputContext) => {
      const target = targetOf(ctx, ctx.partitionKey !== undefined);
      return readGenText(new GensStore(dataRoot()), target.stage, target.file, ctx.partitionKey!);
    },
    storedPartitions: (ctx: StoredPartitionsContext) => {
      const target = targetOf(ctx, ctx.partitioned);
      const files = target.file === "parsed" ? (["parsed"] as const) : (["prompt", "parsed"] as const);
      return genIdsWith(new GensStore(dataRoot()), target.stage, files);
    },
  };
}
