import { AssetsError, type ResourceFactory } from "@daydream/core";
import { createLlmClient } from "../llm/create-client.ts";
import type { LlmClient } from "../llm/types.ts";

/** Resource key of the LLM client the response assets call. */
export const LLM_RESOURCE = "llm";

/**
 * One client per run, configured from the environment (DD_LLM, DD_LLM_BASE_URL, DD_LLM_API_KEY...,
 * also settable under `env:` in assets.yaml) when the run starts, so its per-model concurrency
 * cap and rate limits are shared by every partition of the run.
 */
export const llmResource: ResourceFactory<LlmClient> = {
  kind: "resource-factory",
  create: () => createLlmClient(process.env),
};

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
