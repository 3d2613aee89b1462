import type { ClusterSlots } from "@daydream/core";
import { OPENROUTER_BASE_URL } from "./base-url.ts";
import { LlmBudget } from "./budget.ts";
import type { PriceLookup } from "./call-cost.ts";
import { LlmConfigError } from "./errors.ts";
import { OfflineLlmClient } from "./offline-client.ts";
import { OPENAI_CLIENT_DEFAULTS, OpenAiCompatibleClient } from "./openai-client.ts";
import type { LlmClient, LlmLogger } from "./types.ts";

export interface CreateLlmClientOptions {
  logger?: LlmLogger;
  /** Prices by provider model name (llm_models.csv); a budget needs one for every model it pays. */
  prices?: PriceLookup;
  /** Told which models' adaptive cap is below DD_LLM_CONCURRENCY, whenever that changes. */
  onCapsBelowMax?: (caps: ReadonlyMap<string, number>) => void;
  /** The run's cluster slots (`ResourceRunContext.clusterSlots`): what DD_LLM_CLUSTER_CONCURRENCY needs. */
  clusterSlots?: ClusterSlots;
}

export type LlmEnv = Record<string, string | undefined>;

const KINDS = ["offline", "openai"] as const;

/**
 * Build the client the environment asks for (also settable under `env:` in assets.yaml):
 * DD_LLM = offline (default) | openai; DD_LLM_BASE_URL (default OpenRouter);
 * DD_LLM_API_KEY, falling back to OPENROUTER_API_KEY; DD_LLM_TIMEOUT_MS, DD_LLM_MAX_ATTEMPTS,
 * DD_LLM_CONCURRENCY (per model), DD_LLM_CLUSTER_CONCURRENCY (per model, across every process
 * sharing the instance), DD_LLM_MIN_DELAY_MS, DD_LLM_MAX_TOKENS; DD_LLM_BUDGET_USD (the
 * run's spending cap), DD_LLM_REQUEST_COST (ask the provider for each call's cost; default: on
 * for OpenRouter, whose usage accounting other servers may refuse as an unknown parameter).
 */
export function createLlmClient(env: LlmEnv = process.env, opts: CreateLlmClientOptions = {}): LlmClient {
  const kind = (value(env, "DD_LLM") ?? "offline").toLowerCase();
  const maxTokens = readInt(env, "DD_LLM_MAX_TOKENS", 1);
  // Checked whatever the client: the offline one spends nothing, but a typo must not pass.
  const budgetUsd = readBudgetUsd(env);
  const clusterConcurrency = readClusterConcurrency(env);
  if (kind === "offline") return new OfflineLlmClient({ maxTokens });
  if (kind !== "openai") {
    throw new LlmConfigError(`DD_LLM must be one of ${KINDS.join(", ")}, got ${JSON.stringify(kind)}`, {
      variable: "DD_LLM",
      hint: "DD_LLM=offline for the deterministic offline client, DD_LLM=openai for an OpenAI-compatible API",
    });
  }
  const apiKey = value(env, "DD_LLM_API_KEY") ?? value(env, "OPENROUTER_API_KEY");
  if (apiKey === undefined) {
    throw new LlmConfigError(
      "DD_LLM=openai needs an API key, and neither DD_LLM_API_KEY nor OPENROUTER_API_KEY is set",
      {
        variable: "DD_LLM_API_KEY",
        hint:
          "export DD_LLM_API_KEY (or OPENROUTER_API_KEY) in your shell, not in a committed file; " +
          "a local server without auth (Ollama, llama.cpp) accepts any value, e.g. DD_LLM_API_KEY=local",
      },
    );
  }
  const baseUrl = value(env, "DD_LLM_BASE_URL") ?? OPENROUTER_BASE_URL;
  const prices = opts.prices ?? (() => undefined);
  return new OpenAiCompatibleClient({
    apiKey,
    baseUrl,
    maxTokens: maxTokens ?? OPENAI_CLIENT_DEFAULTS.maxTokens,
    timeoutMs: readInt(env, "DD_LLM_TIMEOUT_MS", 1),
    maxAttempts: readInt(env, "DD_LLM_MAX_ATTEMPTS", 1),
    concurrencyPerModel: readInt(env, "DD_LLM_CONCURRENCY", 1),
    minDelayMs: readInt(env, "DD_LLM_MIN_DELAY_MS", 0),
    logger: opts.logger,
    prices,
    budget: budgetUsd === undefined ? undefined : new LlmBudget(budgetUsd, prices),
    requestCost: readSwitch(env, "DD_LLM_REQUEST_COST") ?? isOpenRouter(baseUrl),
    onCapsBelowMax: opts.onCapsBelowMax,
    clusterConcurrencyPerModel: clusterConcurrency,
    clusterSlots: opts.clusterSlots,
  });
}

/** DD_LLM_CLUSTER_CONCURRENCY: calls in flight per model across every process sharing the instance; unset for no cap. */
export function readClusterConcurrency(env: LlmEnv): number | undefined {
  const raw = value(env, "DD_LLM_CLUSTER_CONCURRENCY");
  if (raw === undefined) return undefined;
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new LlmConfigError(
      `DD_LLM_CLUSTER_CONCURRENCY must be a whole number >= 1 (LLM calls in flight per model across every process sharing the instance), got ${JSON.stringify(raw)}`,
      {
        variable: "DD_LLM_CLUSTER_CONCURRENCY",
        hint: "e.g. DD_LLM_CLUSTER_CONCURRENCY=8 for your provider's limit, or unset it for no cluster-wide cap (DD_LLM_CONCURRENCY still caps each process)",
      },
    );
  }
  return n;
}

/** DD_LLM_BUDGET_USD: US dollars > 0, e.g. 2.5; unset for no cap. */
export function readBudgetUsd(env: LlmEnv): number | undefined {
  const raw = value(env, "DD_LLM_BUDGET_USD");
  if (raw === undefined) return undefined;
  const usd = /^[0-9]+(\.[0-9]+)?$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(usd > 0)) {
    throw new LlmConfigError(
      `DD_LLM_BUDGET_USD must be a number of US dollars > 0, got ${JSON.stringify(raw)}`,
      {
        variable: "DD_LLM_BUDGET_USD",
        hint: "e.g. --budget-usd 2.50 (or DD_LLM_BUDGET_USD=2.50); leave it unset for no spending cap",
      },
    );
  }
  return usd;
}

function readSwitch(env: LlmEnv, name: string): boolean | undefined {
  const raw = value(env, name)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (raw === "1" || raw === "true" || raw === "on") return true;
  if (raw === "0" || raw === "false" || raw === "off") return false;
  throw new LlmConfigError(`${name} must be on or off, got ${JSON.stringify(raw)}`, {
    variable: name,
    hint: `set ${name}=on or ${name}=off (1/0 and true/false work too), or unset it for the default`,
  });
}

function isOpenRouter(baseUrl: string): boolean {
  // An invalid URL is reported by the client, with its own hint.
  if (!URL.canParse(baseUrl)) return false;
  const host = new URL(baseUrl).hostname;
  return host === "openrouter.ai" || host.endsWith(".openrouter.ai");
}

/** An unset or blank variable counts as absent. */
function value(env: LlmEnv, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === "" ? undefined : raw;
}

function readInt(env: LlmEnv, name: string, min: 0 | 1): number | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new LlmConfigError(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`, {
      variable: name,
      hint: `set ${name} to a whole number (or unset it for the default)`,
    });
  }
  return n;
}
