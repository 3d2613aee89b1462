/** The one interface every LLM backend implements (OpenAI-compatible HTTP, offline). */

export type ChatRole = "system" | "user" | "assistant";

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** What the provider says the call cost in US dollars (OpenRouter's `usage.cost`), when it says. */
  providerCostUsd?: number;
}

/** Where a response's cost comes from: the provider's figure, the price table, or no call at all. */
export type CostSource = "provider" | "price" | "offline";

/** Structured logger (pino-compatible) used for retry warnings; never receives the API key. */
export interface LlmLogger {
  warn(obj: object, msg: string): void;
}

interface LlmRequestBase {
  /** Provider model name sent to the API (e.g. `anthropic/claude-sonnet-4`). */
  model: string;
  /** Upper bound on generated tokens; always sent. Defaults to the client's `maxTokens`. */
  maxTokens?: number;
  temperature?: number;
  /** Cancels waiting, the request in flight and any retry. */
  signal?: AbortSignal;
  /** Logger for this call (e.g. the step's ctx.log); the client's own logger otherwise. */
  log?: LlmLogger;
}

/** Either a single user `prompt` or a full `messages` list, never both. */
export type LlmRequest = LlmRequestBase &
  ({ prompt: string; messages?: undefined } | { messages: ChatMessage[]; prompt?: undefined });

export interface LlmResponse {
  text: string;
  /** As reported by the provider: "stop", "length" (truncated), "content_filter"...; null when absent. */
  finishReason: string | null;
  usage: LlmUsage | null;
  /** The model that answered (as reported by the provider, else the requested one). */
  model: string;
  provider: string;
  /** True when no language model was called (deterministic offline text). */
  offline: boolean;
  /** How many HTTP attempts the call took (1 for offline). */
  attempts: number;
  /** US dollars; null when unknown (no provider figure, no price for the model, or no usage). */
  costUsd: number | null;
  costSource: CostSource | null;
}

/** A description of a client that is safe to log or store: never contains the API key. */
export interface LlmClientInfo {
  provider: string;
  offline: boolean;
  maxTokens: number;
  baseUrl?: string;
  timeoutMs?: number;
  maxAttempts?: number;
  concurrencyPerModel?: number;
  minDelayMs?: number;
  /** Calls in flight per model across every process sharing the instance (DD_LLM_CLUSTER_CONCURRENCY). */
  clusterConcurrencyPerModel?: number;
  budgetUsd?: number;
}

export interface LlmClient {
  readonly provider: string;
  readonly offline: boolean;
  /** max_tokens used when a request gives none. */
  readonly maxTokens: number;
  describe(): LlmClientInfo;
  complete(request: LlmRequest): Promise<LlmResponse>;
}
