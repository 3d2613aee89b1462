/**
 * The LLM half of every response asset: call the model, apply the stage rules and parse, then
 * save raw.txt and metadata.json whatever the checks said and parsed.txt last, so parsed.txt
 * existing always means a finished generation with its raw.txt and metadata.json beside it.
 */

import { setMaxListeners } from "node:events";
import { type AssetContext, AssetsError, type Metadata } from "@daydream/core";
import { displayPath } from "../config/data-root.ts";
import type { GenStage } from "../gens/layout.ts";
import type { GenMetadataFields } from "../gens/metadata.ts";
import type { GensStore } from "../gens/store.ts";
import type { LlmClient, LlmResponse } from "../llm/types.ts";
import { GenerationError } from "./errors.ts";
import { completeForStep } from "./llm-call.ts";
import { nonEmptyLines, normalizeResponseText, requireMinLines, requireNotTruncated } from "./rules.ts";
import { genDirOf } from "./step-support.ts";

export interface ParseOutcome {
  parsed: string;
  /** Extra materialization metadata (e.g. the score). */
  metadata?: Metadata;
}

export interface LlmStepSpec {
  ctx: Pick<AssetContext, "assetKey" | "runId" | "attempt" | "signal" | "log">;
  store: GensStore;
  stage: GenStage;
  genId: string;
  prompt: string;
  llm: LlmClient;
  /** Provider model name sent to the API. */
  model: string;
  /** metadata.json identity keys (template_id, model_id, task_id, parent, cohort...). */
  identity: GenMetadataFields;
  parserName: string;
  /** Minimum non-empty lines of the raw response (drafts). */
  minLines?: number;
  /** Turns the raw response into parsed.txt; throws (an AssetsError with a hint) when it cannot. */
  parse(raw: string): ParseOutcome;
}

export interface StepOutcome {
  parsed: string;
  metadata: Metadata;
}

function usageFields(response: LlmResponse) {
  const u = response.usage;
  return {
    prompt_tokens: u ? u.promptTokens : null,
    completion_tokens: u ? u.completionTokens : null,
    total_tokens: u ? u.totalTokens : null,
  };
}

function parseFailure(spec: LlmStepSpec, rawFile: string, err: unknown): GenerationError {
  const message = err instanceof Error ? err.message : String(err);
  const hint =
    err instanceof AssetsError && err.hint ? err.hint : "read raw.txt and check the template's parser";
  return new GenerationError(
    "RESPONSE_UNPARSEABLE",
    `${spec.stage} ${spec.genId}: parser ${spec.parserName || "identity"} failed: ${message}`,
    {
      context: { stage: spec.stage, gen_id: spec.genId, parser: spec.parserName, file: rawFile },
      hint: `${hint} (the response is in ${rawFile})`,
      cause: err,
    },
  );
}

/** The stage rules (minimum lines, not truncated), then the template's parser. */
function checkAndParse(
  spec: LlmStepSpec,
  raw: string,
  finishReason: LlmResponse["finishReason"],
  rawFile: string,
): ParseOutcome {
  const where = { stage: spec.stage, genId: spec.genId, file: rawFile };
  if (spec.minLines !== undefined) requireMinLines(raw, spec.minLines, where);
  requireNotTruncated(finishReason, where, spec.llm.maxTokens);
  try {
    return spec.parse(raw);
  } catch (err) {
    throw parseFailure(spec, rawFile, err);
  }
}

export async function runLlmStep(spec: LlmStepSpec): Promise<StepOutcome> {
  const { ctx, store, stage, genId, llm } = spec;
  // Every in-flight call listens on the run's one signal; more than 10 at once is expected here.
  setMaxListeners(0, ctx.signal);
  const started = performance.now();
  const { response, requests } = await completeForStep(ctx, genId, llm, {
    model: spec.model,
    prompt: spec.prompt,
    signal: ctx.signal,
    log: ctx.log,
  });
  const durationMs = Math.round(performance.now() - started);
  const raw = normalizeResponseText(response.text);
  const usage = usageFields(response);

  // The checks and the parser are pure, so they run before anything is written and the files go
  // out in one batch: raw.txt and metadata.json always (a failing response keeps its raw text
  // for inspection), parsed.txt, the "finished" mark, last and only for a response that passed.
  const rawFile = displayPath(store.path(stage, genId, "raw"));
  let outcome: ParseOutcome | undefined;
  let failure: unknown;
  try {
    outcome = checkAndParse(spec, raw, response.finishReason, rawFile);
  } catch (err) {
    failure = err;
  }
  await store.writeResponse(stage, genId, {
    raw,
    metadata: {
      ...spec.identity,
      mode: "llm",
      model_name: spec.model,
      parser_name: spec.parserName,
      finish_reason: response.finishReason,
      truncated: response.finishReason === "length",
      usage: response.usage ? usage : null,
      // null when unknown (no provider figure and no price in llm_models.csv): never a guess.
      cost_usd: response.costUsd,
      cost_source: response.costSource,
      duration_s: durationMs / 1000,
      llm_provider: response.provider,
      ...(response.offline ? { offline: true } : {}),
    },
    parsed: outcome?.parsed,
  });
  if (outcome === undefined) {
    // An older parsed.txt no longer matches the new raw.txt. A passing response renames its
    // parsed.txt over the old one instead, so a finished generation never disappears while
    // another process may be reading it.
    store.remove(stage, genId, "parsed");
    throw failure;
  }
  ctx.log.info(
    { gen_id: genId, model: response.model, duration_ms: durationMs },
    `${stage} response written`,
  );
  return {
    parsed: outcome.parsed,
    metadata: {
      stage,
      model: response.model,
      model_id: typeof spec.identity.model_id === "string" ? spec.identity.model_id : null,
      template: typeof spec.identity.template_id === "string" ? spec.identity.template_id : null,
      parser: spec.parserName || "identity",
      chars: raw.length,
      lines: nonEmptyLines(raw).length,
      finish_reason: response.finishReason,
      ...usage,
      cost_usd: response.costUsd,
      cost_source: response.costSource,
      duration_ms: durationMs,
      attempts: response.attempts,
      llm_requests: requests,
      llm_provider: response.provider,
      offline: response.offline,
      gen_dir: genDirOf(store, stage, genId),
      cohort_id: typeof spec.identity.cohort_id === "string" ? spec.identity.cohort_id : null,
      ...outcome.metadata,
    },
  };
}
