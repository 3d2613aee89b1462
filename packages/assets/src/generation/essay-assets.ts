/** essay_prompt and essay_response (group generation_essays), one partition per essay gen_id. */

import { type AssetContext, asset, withMetadata } from "@daydream/core";
import { displayPath } from "../config/data-root.ts";
import type { GenMetadataFields } from "../gens/metadata.ts";
import { parentMapping } from "../lineage/gen-lineage.ts";
import { type EssayTaskRow, getTaskRow } from "../tasks/task-table-reader.ts";
import { taskReplicate } from "../tasks/task-tables.ts";
import { runCopyStep } from "./copy-step.ts";
import { readGenText } from "./gen-text.ts";
import { llmOf } from "./llm-resource.ts";
import { runLlmStep } from "./llm-step.ts";
import { modelNameFor } from "./model-names.ts";
import { promptCodeVersions } from "./prompt-code-versions.ts";
import { essayPromptVars } from "./prompt-vars.ts";
import { COPY_MODE_PROMPT, MIN_DRAFT_LINES, nonEmptyLines, requireMinLines } from "./rules.ts";
import { beginGenStep, genDirOf, promptAssetBase, responseAssetBase } from "./step-support.ts";
import { renderStageTemplate, templateRow } from "./template-catalog.ts";

const TASKS = "essay_generation_tasks";

function identityOf(row: EssayTaskRow, ctx: AssetContext): GenMetadataFields {
  return {
    parent_gen_id: row.parent_gen_id,
    template_id: row.essay_template,
    model_id: row.generation_model,
    task_id: row.essay_task_id,
    function: ctx.assetKey,
    run_id: ctx.runId,
    cohort_id: row.cohort_id,
    essay_template: row.essay_template,
    replicate: taskReplicate(row),
  };
}

export const essayPromptAsset = asset({
  key: "essay_prompt",
  group: "generation_essays",
  description:
    "prompt.txt of each essay: its essay template rendered with the parent draft's parsed text (`COPY_MODE: no prompt needed` for generator copy).",
  ...promptAssetBase("essay"),
  partitionCodeVersions: promptCodeVersions("essay", TASKS, "essay_template"),
  ins: { [TASKS]: { versioned: false } },
  // Essays read their parent draft's files, so drafts of the same run come first.
  deps: ["draft_response"],
  // Each essay waits for its own parent only, not for every draft of the run.
  partitionMappings: { draft_response: parentMapping("essay") },
  compute: async (ctx: AssetContext) => {
    const { root, genId, store } = beginGenStep(ctx, "essay");
    const row = getTaskRow(root, TASKS, genId);
    const generator = templateRow(root, "essay", row.essay_template).generator;
    const common = {
      template: row.essay_template,
      generator,
      parent_gen_id: row.parent_gen_id,
      gen_dir: genDirOf(store, "essay", genId),
      cohort_id: row.cohort_id,
    };
    if (generator === "copy") {
      await store.writePrompt("essay", genId, COPY_MODE_PROMPT);
      return withMetadata(COPY_MODE_PROMPT, common);
    }
    const draftText = await readGenText(store, "draft", "parsed", row.parent_gen_id);
    requireMinLines(
      draftText,
      MIN_DRAFT_LINES,
      { stage: "essay", genId, file: displayPath(store.path("draft", row.parent_gen_id, "parsed")) },
      `parent draft ${row.parent_gen_id}`,
      `an llm essay needs a draft of at least ${MIN_DRAFT_LINES} lines: re-generate the draft ` +
        `(npx assets materialize --select draft_response --partition ${row.parent_gen_id}) or use a copy essay template`,
    );
    const vars = essayPromptVars(draftText);
    const { prompt, file } = renderStageTemplate(root, "essay", row.essay_template, vars, ctx.log);
    await store.writePrompt("essay", genId, prompt);
    return withMetadata(prompt, {
      ...common,
      template_file: displayPath(file),
      draft_lines: vars.draft_lines.length,
      chars: prompt.length,
      lines: nonEmptyLines(prompt).length,
    });
  },
});

export const essayResponseAsset = asset({
  key: "essay_response",
  group: "generation_essays",
  description:
    "raw.txt, metadata.json and parsed.txt of each essay: the model's answer to essay_prompt, or the parent draft copied (generator copy).",
  ...responseAssetBase("essay"),
  ins: { essay_prompt: {}, [TASKS]: { versioned: false } },
  compute: async (ctx: AssetContext, inputs) => {
    const { root, genId, store } = beginGenStep(ctx, "essay");
    const row = getTaskRow(root, TASKS, genId);
    const generator = templateRow(root, "essay", row.essay_template).generator;
    const identity = identityOf(row, ctx);
    if (generator === "copy") {
      const { parsed, metadata } = await runCopyStep({
        ctx,
        store,
        genId,
        parentGenId: row.parent_gen_id,
        identity,
      });
      return withMetadata(parsed, metadata);
    }
    const { parsed, metadata } = await runLlmStep({
      ctx,
      store,
      stage: "essay",
      genId,
      prompt: inputs.essay_prompt as string,
      llm: llmOf(ctx.resources, ctx.assetKey),
      model: modelNameFor(root, row.generation_model, row.generation_model_name),
      identity,
      parserName: "identity",
      parse: (raw) => ({ parsed: raw }),
    });
    return withMetadata(parsed, { ...metadata, parent_gen_id: row.parent_gen_id });
  },
});
