import { AssetsError, type ResourceFactory, type ResourceRunContext } from "@daydream/core";
import { dataRoot } from "../config/data-root.ts";
import { createLlmClient, readBudgetUsd } from "../llm/create-client.ts";
import type { LlmClient } from "../llm/types.ts";
import { type ModelPrices, readModelPrices, requireActiveModelsPriced } from "./model-prices.ts";

/** Resource key of the LLM client the response assets call. */
export const LLM_RESOURCE = "llm";

/**
 * One client per run, configured from the environment (DD_LLM, DD_LLM_BASE_URL, DD_LLM_API_KEY...,
 * also settable under `env:` in assets.yaml) when the run starts, so its per-model adaptive caps,
 * rate-limit pauses and budget are shared by every partition of the run; the cluster-wide cap
 * (DD_LLM_CLUSTER_CONCURRENCY) with every process recording runs in the same instance. Prices
 * come from llm_models.csv as it is then; with a budget, an active model without a price is
 * refused before any call.
 */
export const llmResource: ResourceFactory<LlmClient> = {
  kind: "resource-factory",
  create: (run) => {
    let prices: ModelPrices | undefined;
    let max = 0;
    const client = createLlmClient(process.env, {
      prices: (model) => prices?.byName.get(model),
      onCapsBelowMax: (caps) => run?.status(capsText(caps, max)),
      // DD_LLM_CLUSTER_CONCURRENCY holds the calls of every process sharing the instance through these.
      clusterSlots: run?.clusterSlots,
    });
    // The offline client spends nothing: it needs neither prices nor a notice about limits.
    if (client.offline) return client;
    prices = readModelPrices(dataRoot());
    if (readBudgetUsd(process.env) !== undefined) requireActiveModelsPriced(prices);
    max = client.describe().concurrencyPerModel ?? 0;
    if (run !== undefined) noticeConcurrency(run, max);
    return client;
  },
};

/** For the progress line, e.g. "LLM calls per model: vendor/a 10/64"; undefined when none is held back. */
function capsText(caps: ReadonlyMap<string, number>, max: number): string | undefined {
  if (caps.size === 0) return undefined;
  const each = [...caps].map(([model, cap]) => `${model} ${cap}/${max}`);
  return `LLM calls per model: ${each.join(", ")}`;
}

/** More steps at once than calls per model: most of them would wait, which the user should know. */
function noticeConcurrency(run: ResourceRunContext, perModel: number): void {
  if (run.concurrency <= perModel) return;
  run.notice(
    `the run computes ${run.concurrency} steps at once, but at most ${perModel} LLM calls per model are in flight ` +
      `(DD_LLM_CONCURRENCY${process.env.DD_LLM_CONCURRENCY ? "" : ", default 8"}); ` +
      `set DD_LLM_CONCURRENCY=${run.concurrency} to let more run (it adapts down on HTTP 429)`,
  );
}

function isLlmClient(value: unknown): value is LlmClient {
  return typeof (value as LlmClient | undefined)?.complete === "function";
}

/** The run's LLM client from a step's resources. */
export function llmOf(resources: Record<string, unknown>, assetKey: string): LlmClient {
  const llm = resources[LLM_RESOURCE];
  if (isLlmClient(llm)) return llm;
  throw new AssetsError("LLM_RESOURCE_MISSING", `asset ${assetKey} has no "${LLM_RESOURCE}" resource`, {
    context: { asset: assetKey },
    hint: `register resources: { ${LLM_RESOURCE}: llmResource } in the definitions module`,
    userError: false,
  });
}
