/** evaluation_prompt and evaluation_response (group evaluation), one partition per evaluation gen_id. */

import { type AssetContext, asset, withMetadata } from "@daydream/core";
import { displayPath } from "../config/data-root.ts";
import { parentMapping } from "../lineage/gen-lineage.ts";
import { getEvaluationParser } from "../parsing/evaluation-parsers.ts";
import { type EvaluationTaskRow, getTaskRow } from "../tasks/task-table-reader.ts";
import { taskReplicate } from "../tasks/task-tables.ts";
import { readGenText } from "./gen-text.ts";
import { llmOf } from "./llm-resource.ts";
import { runLlmStep } from "./llm-step.ts";
import { modelNameFor } from "./model-names.ts";
import { promptCodeVersions } from "./prompt-code-versions.ts";
import { evaluationPromptVars } from "./prompt-vars.ts";
import { nonEmptyLines, scoreText } from "./rules.ts";
import { beginGenStep, genDirOf, promptAssetBase, responseAssetBase } from "./step-support.ts";
import { renderStageTemplate, templateRow } from "./template-catalog.ts";

const TASKS = "evaluation_tasks";

/** The cohort recorded the template's parser in the task row; older rows fall back to the templates table. */
function parserNameOf(root: string, row: EvaluationTaskRow): string {
  const recorded = row.parser.trim();
  return recorded !== "" ? recorded : templateRow(root, "evaluation", row.evaluation_template).parser;
}

export const evaluationPromptAsset = asset({
  key: "evaluation_prompt",
  group: "evaluation",
  description:
    "prompt.txt of each evaluation: its evaluation template rendered with the parent essay's parsed text as `response`.",
  ...promptAssetBase("evaluation"),
  partitionCodeVersions: promptCodeVersions("evaluation", TASKS, "evaluation_template"),
  ins: { [TASKS]: { versioned: false } },
  // Evaluations read their parent essay's files, so essays of the same run come first.
  deps: ["essay_response"],
  // Each evaluation waits for its own parent only, not for every essay of the run.
  partitionMappings: { essay_response: parentMapping("evaluation") },
  compute: async (ctx: AssetContext) => {
    const { root, genId, store } = beginGenStep(ctx, "evaluation");
    const row = getTaskRow(root, TASKS, genId);
    const essayText = await readGenText(store, "essay", "parsed", row.parent_gen_id);
    const { prompt, file } = renderStageTemplate(
      root,
      "evaluation",
      row.evaluation_template,
      evaluationPromptVars(essayText),
      ctx.log,
    );
    await store.writePrompt("evaluation", genId, prompt);
    return withMetadata(prompt, {
      template: row.evaluation_template,
      template_file: displayPath(file),
      parent_gen_id: row.parent_gen_id,
      chars: prompt.length,
      lines: nonEmptyLines(prompt).length,
      gen_dir: genDirOf(store, "evaluation", genId),
      cohort_id: row.cohort_id,
    });
  },
});

export const evaluationResponseAsset = asset({
  key: "evaluation_response",
  group: "evaluation",
  description:
    "raw.txt, metadata.json and parsed.txt of each evaluation: the evaluator's answer to evaluation_prompt; parsed.txt is the score (e.g. `7.0`), absent when none can be read.",
  ...responseAssetBase("evaluation"),
  ins: { evaluation_prompt: {}, [TASKS]: { versioned: false } },
  compute: async (ctx: AssetContext, inputs) => {
    const { root, genId, store } = beginGenStep(ctx, "evaluation");
    const row = getTaskRow(root, TASKS, genId);
    const parserName = parserNameOf(root, row);
    // Resolved before the call: an unknown parser must not cost an LLM call.
    const parseScore = getEvaluationParser(parserName);
    const { parsed, metadata } = await runLlmStep({
      ctx,
      store,
      stage: "evaluation",
      genId,
      prompt: inputs.evaluation_prompt as string,
      llm: llmOf(ctx.resources, ctx.assetKey),
      model: modelNameFor(root, row.evaluation_model, row.evaluation_model_name),
      identity: {
        parent_gen_id: row.parent_gen_id,
        template_id: row.evaluation_template,
        model_id: row.evaluation_model,
        task_id: row.evaluation_task_id,
        function: ctx.assetKey,
        run_id: ctx.runId,
        cohort_id: row.cohort_id,
        evaluation_template: row.evaluation_template,
        replicate: taskReplicate(row),
      },
      parserName,
      parse: (raw) => {
        const score = parseScore(raw);
        return { parsed: scoreText(score), metadata: { score } };
      },
    });
    return withMetadata(parsed, { ...metadata, parent_gen_id: row.parent_gen_id });
  },
});
