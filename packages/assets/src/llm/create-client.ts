import { OPENROUTER_BASE_URL } from "./base-url.ts";
import { LlmConfigError } from "./errors.ts";
import { OfflineLlmClient } from "./offline-client.ts";
import { OPENAI_CLIENT_DEFAULTS, OpenAiCompatibleClient } from "./openai-client.ts";
import type { LlmClient, LlmLogger } from "./types.ts";

export type LlmEnv = Record<string, string | undefined>;

const KINDS = ["offline", "openai"] as const;

/**
 * Build the client the environment asks for (also settable under `env:` in assets.yaml):
 * DD_LLM = offline (default) | openai; DD_LLM_BASE_URL (default OpenRouter);
 * DD_LLM_API_KEY, falling back to OPENROUTER_API_KEY; DD_LLM_TIMEOUT_MS, DD_LLM_MAX_ATTEMPTS,
 * DD_LLM_CONCURRENCY (per model), DD_LLM_MIN_DELAY_MS, DD_LLM_MAX_TOKENS.
 */
export function createLlmClient(env: LlmEnv = process.env, opts: { logger?: LlmLogger } = {}): LlmClient {
  const kind = (value(env, "DD_LLM") ?? "offline").toLowerCase();
  const maxTokens = readInt(env, "DD_LLM_MAX_TOKENS", 1);
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
  return new OpenAiCompatibleClient({
    apiKey,
    baseUrl: value(env, "DD_LLM_BASE_URL") ?? OPENROUTER_BASE_URL,
    maxTokens: maxTokens ?? OPENAI_CLIENT_DEFAULTS.maxTokens,
    timeoutMs: readInt(env, "DD_LLM_TIMEOUT_MS", 1),
    maxAttempts: readInt(env, "DD_LLM_MAX_ATTEMPTS", 1),
    concurrencyPerModel: readInt(env, "DD_LLM_CONCURRENCY", 1),
    minDelayMs: readInt(env, "DD_LLM_MIN_DELAY_MS", 0),
    logger: opts.logger,
  });
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
