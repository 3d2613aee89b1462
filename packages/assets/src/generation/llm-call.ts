/**
 * The LLM call of a response step, with its HTTP requests counted honestly. The client
 * retries transient failures itself (DD_LLM_MAX_ATTEMPTS requests per call), and the engine
 * then retries the whole step (LLM_STEP_RETRY): one step can make up to their product in
 * requests, and its final error says how many it made in all.
 */
import type { AssetContext } from "@daydream/core";
import { LlmError } from "../llm/errors.ts";
import type { LlmClient, LlmRequest, LlmResponse } from "../llm/types.ts";
import { LLM_STEP_RETRY } from "./step-support.ts";

/**
 * HTTP requests of the earlier attempts of each step still being retried, by the run's
 * signal (shared by every attempt of a step) so the counts go away with the run.
 */
const earlierRequests = new WeakMap<AbortSignal, Map<string, number[]>>();

export interface CountedResponse {
  response: LlmResponse;
  /** HTTP requests made by every attempt of the step so far, this one included. */
  requests: number;
}

export async function completeForStep(
  ctx: Pick<AssetContext, "assetKey" | "attempt" | "signal">,
  genId: string,
  llm: LlmClient,
  request: LlmRequest,
): Promise<CountedResponse> {
  let steps = earlierRequests.get(ctx.signal);
  if (!steps) {
    steps = new Map();
    earlierRequests.set(ctx.signal, steps);
  }
  const key = `${ctx.assetKey}\u0000${genId}`;
  const earlier = steps.get(key) ?? [];
  try {
    const response = await llm.complete(request);
    steps.delete(key);
    return { response, requests: sum(earlier) + response.attempts };
  } catch (err) {
    if (!(err instanceof LlmError)) {
      steps.delete(key);
      throw err;
    }
    const perAttempt = [...earlier, err.attempt];
    if (err.retryable && ctx.attempt < LLM_STEP_RETRY.maxAttempts) {
      // The engine retries the step; its next attempt adds to these counts.
      steps.set(key, perAttempt);
      throw err;
    }
    steps.delete(key);
    throw perAttempt.length === 1 ? err : withRequestCount(err, perAttempt);
  }
}

/** The last attempt's error, restated with every attempt's HTTP requests. */
function withRequestCount(err: LlmError, perAttempt: number[]): LlmError {
  const total = sum(perAttempt);
  const split = perAttempt.every((n) => n === perAttempt[0])
    ? `of ${plural(perAttempt[0], "HTTP request")} each`
    : `(${perAttempt.join(" + ")} HTTP requests)`;
  const outcome = err.retryable ? "gave up after" : "failed on the last of";
  const message =
    `LLM call to ${err.model} failed: ${err.detail} ` +
    `(${outcome} ${perAttempt.length} step attempts ${split}: ${plural(total, "HTTP request")} in all)`;
  return new LlmError(err.code, message, { ...err.options, requests: total }, err);
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
