/** draft_prompt and draft_response (group generation_draft), one partition per draft gen_id. */

import { type AssetContext, asset, withMetadata } from "@daydream/core";
import { displayPath } from "../config/data-root.ts";
import { getDraftParser } from "../parsing/draft-parsers.ts";
import { getTaskRow } from "../tasks/task-table-reader.ts";
import { taskReplicate } from "../tasks/task-tables.ts";
import { comboFor } from "./combo-lookup.ts";
import { llmOf } from "./llm-resource.ts";
import { runLlmStep } from "./llm-step.ts";
import { modelNameFor } from "./model-names.ts";
import { promptCodeVersions } from "./prompt-code-versions.ts";
import { draftPromptVars } from "./prompt-vars.ts";
import { MIN_DRAFT_LINES, nonEmptyLines } from "./rules.ts";
import { beginGenStep, genDirOf, promptAssetBase, responseAssetBase } from "./step-support.ts";
import { renderStageTemplate, templateRow } from "./template-catalog.ts";

const TASKS = "draft_generation_tasks";

export const draftPromptAsset = asset({
  key: "draft_prompt",
  group: "generation_draft",
  description:
    "prompt.txt of each draft: its draft template rendered with the combo's concepts (name + description at the combo's level).",
  ...promptAssetBase("draft"),
  partitionCodeVersions: promptCodeVersions("draft", TASKS, "draft_template"),
  ins: { [TASKS]: { versioned: false }, content_combinations: {} },
  compute: async (ctx: AssetContext, inputs) => {
    const { root, genId, store } = beginGenStep(ctx, "draft");
    const row = getTaskRow(root, TASKS, genId);
    const combo = comboFor(root, inputs.content_combinations, row.combo_id);
    const { prompt, file } = renderStageTemplate(
      root,
      "draft",
      row.draft_template,
      draftPromptVars(combo),
      ctx.log,
    );
    await store.writePrompt("draft", genId, prompt);
    return withMetadata(prompt, {
      template: row.draft_template,
      template_file: displayPath(file),
      combo_id: row.combo_id,
      concepts: combo.concepts.length,
      chars: prompt.length,
      lines: nonEmptyLines(prompt).length,
      gen_dir: genDirOf(store, "draft", genId),
      cohort_id: row.cohort_id,
    });
  },
});

export const draftResponseAsset = asset({
  key: "draft_response",
  group: "generation_draft",
  description:
    "raw.txt, metadata.json and parsed.txt of each draft: the generation model's answer to draft_prompt, parsed with the template's parser.",
  ...responseAssetBase("draft"),
  ins: { draft_prompt: {}, [TASKS]: { versioned: false } },
  compute: async (ctx: AssetContext, inputs) => {
    const { root, genId, store } = beginGenStep(ctx, "draft");
    const row = getTaskRow(root, TASKS, genId);
    const parserName = templateRow(root, "draft", row.draft_template).parser;
    // Resolved before the call: an unknown parser must not cost an LLM call.
    const parse = getDraftParser(parserName);
    const { parsed, metadata } = await runLlmStep({
      ctx,
      store,
      stage: "draft",
      genId,
      prompt: inputs.draft_prompt as string,
      llm: llmOf(ctx.resources, ctx.assetKey),
      model: modelNameFor(root, row.generation_model, row.generation_model_name),
      identity: {
        parent_gen_id: "",
        template_id: row.draft_template,
        model_id: row.generation_model,
        task_id: row.draft_task_id,
        function: ctx.assetKey,
        run_id: ctx.runId,
        cohort_id: row.cohort_id,
        combo_id: row.combo_id,
        replicate: taskReplicate(row),
      },
      parserName,
      minLines: MIN_DRAFT_LINES,
      parse: (raw) => ({ parsed: parse(raw) }),
    });
    return withMetadata(parsed, metadata);
  },
});
