/**
 * An essay with generator `copy`: the parent draft's parsed text becomes the essay, with no
 * LLM call. raw.txt gets the same text so every finished generation has raw, metadata and
 * parsed files; parsed.txt is still written last.
 */
import type { AssetContext, Metadata } from "@daydream/core";
import type { GenMetadataFields } from "../gens/metadata.ts";
import type { GensStore } from "../gens/store.ts";
import { readGenText } from "./gen-text.ts";
import { nonEmptyLines } from "./rules.ts";
import { genDirOf } from "./step-support.ts";

export interface CopyStepSpec {
  ctx: Pick<AssetContext, "log">;
  store: GensStore;
  genId: string;
  parentGenId: string;
  identity: GenMetadataFields;
}

export async function runCopyStep(spec: CopyStepSpec): Promise<{ parsed: string; metadata: Metadata }> {
  const { store, genId } = spec;
  const text = await readGenText(store, "draft", "parsed", spec.parentGenId);
  await store.writeResponse("essay", genId, {
    raw: text,
    metadata: { ...spec.identity, mode: "copy" },
    parsed: text,
  });
  spec.ctx.log.info({ gen_id: genId, parent_gen_id: spec.parentGenId }, "essay copied from its draft");
  return {
    parsed: text,
    metadata: {
      mode: "copy",
      template: typeof spec.identity.template_id === "string" ? spec.identity.template_id : null,
      parent_gen_id: spec.parentGenId,
      chars: text.length,
      lines: nonEmptyLines(text).length,
      gen_dir: genDirOf(store, "essay", genId),
      cohort_id: typeof spec.identity.cohort_id === "string" ? spec.identity.cohort_id : null,
    },
  };
}
