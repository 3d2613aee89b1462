import type { ClusterSlots } from "@daydream/core";
import type OpenAI from "openai";
import { linkAbort } from "./abort-link.ts";
import { abortableDelay, DelayAbortedError } from "./abortable-delay.ts";
import { type AttemptFailure, abortedFailure, classifyThrown, garbledFailure } from "./attempt-failure.ts";
import { OPENROUTER_BASE_URL, safeBaseUrl } from "./base-url.ts";
import type { LlmBudget, Reservation } from "./budget.ts";
import { callCost, type PriceLookup } from "./call-cost.ts";
import { type Completion, isUnusable, readCompletion } from "./completion-body.ts";
import { LlmConfigError, LlmError, scrubSecret } from "./errors.ts";
import { createHttpFetch } from "./http-fetch.ts";
import { ModelGate, type SlotOutcome } from "./model-gate.ts";
import { loadOpenAiSdk, type OpenAiSdk } from "./openai-sdk.ts";
import {
  type NormalizedRequest,
  normalizeRequest,
  requireNonNegativeInteger,
  requirePositiveInteger,
} from "./request.ts";
import { retryDelayMs } from "./retry-policy.ts";
import type { LlmClient, LlmClientInfo, LlmLogger, LlmRequest, LlmResponse } from "./types.ts";

export const OPENAI_CLIENT_DEFAULTS = {
  maxTokens: 8192,
  timeoutMs: 180_000,
  maxAttempts: 5,
  concurrencyPerModel: 8,
  minDelayMs: 0,
  retryBaseDelayMs: 1000,
  maxRetryDelayMs: 60_000,
} as const;

export interface OpenAiCompatibleClientOptions {
  apiKey: string;
  /** Any OpenAI-compatible endpoint (OpenRouter, OpenAI, Ollama, llama.cpp, vLLM). */
  baseUrl?: string;
  maxTokens?: number;
  /** Per attempt, covering the whole response (headers and body). */
  timeoutMs?: number;
  /** Total attempts per call, the first included. */
  maxAttempts?: number;
  concurrencyPerModel?: number;
  /** Minimum spacing between the starts of two calls to the same model (free tiers). */
  minDelayMs?: number;
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
  logger?: LlmLogger;
  /** Extra request headers (e.g. OpenRouter's HTTP-Referer / X-Title). */
  headers?: Record<string, string>;
  /** Jitter source in [0, 1); injectable for tests. */
  random?: () => number;
  /** Prices by provider model name, for the cost of calls the provider does not price itself. */
  prices?: PriceLookup;
  /** The run's spending cap: no call starts that could pass it. */
  budget?: LlmBudget;
  /** Ask for the call's cost in `usage` (`usage: {include: true}`, OpenRouter's usage accounting). */
  requestCost?: boolean;
  /** Calls in flight per model at first; the cap adapts from there up to concurrencyPerModel. */
  initialConcurrency?: number;
  /** Told the models whose adaptive cap is below concurrencyPerModel, whenever that changes. */
  onCapsBelowMax?: (caps: ReadonlyMap<string, number>) => void;
  /**
   * Calls in flight per model across every process sharing the instance (DD_LLM_CLUSTER_CONCURRENCY),
   * enforced through `clusterSlots`; unset for no cluster-wide cap.
   */
  clusterConcurrencyPerModel?: number;
  /** The run's cluster slots: required with `clusterConcurrencyPerModel`. */
  clusterSlots?: ClusterSlots;
}

/** OpenRouter's usage accounting: the response's `usage` then carries `cost` in US dollars. */
const USAGE_WITH_COST = { usage: { include: true } } as Record<string, unknown>;

type AttemptResult = { ok: true; completion: Completion } | { ok: false; failure: AttemptFailure };

/**
 * Chat completions over any OpenAI-compatible API. The SDK's own retries are off: this class
 * owns the policy (backoff + jitter, Retry-After, timeouts, garbled bodies) so it is testable.
 * The API key lives only in private fields and is scrubbed from every message.
 */
export class OpenAiCompatibleClient implements LlmClient {
  readonly provider = "openai-compatible";
  readonly offline = false;
  readonly maxTokens: number;
  /** Origin and path only: no credentials or query string. */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly concurrencyPerModel: number;
  readonly minDelayMs: number;
  readonly clusterConcurrencyPerModel: number | undefined;
  readonly #retryBaseDelayMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #apiKey: string;
  readonly #sdkOptions: ConstructorParameters<typeof OpenAI>[0];
  #sdk: Promise<{ sdk: OpenAiSdk; client: OpenAI }> | undefined;
  readonly #gate: ModelGate;
  readonly #logger: LlmLogger | undefined;
  readonly #random: () => number;
  readonly #prices: PriceLookup | undefined;
  readonly #budget: LlmBudget | undefined;
  readonly #requestCost: boolean;
  readonly #clusterSlots: ClusterSlots | undefined;

  constructor(options: OpenAiCompatibleClientOptions) {
    const d = OPENAI_CLIENT_DEFAULTS;
    if (typeof options.apiKey !== "string" || options.apiKey === "") {
      throw new LlmConfigError("the OpenAI-compatible client needs an API key", {
        variable: "apiKey",
        hint: "set DD_LLM_API_KEY or OPENROUTER_API_KEY (any non-empty value for a local server without auth)",
      });
    }
    const url = options.baseUrl ?? OPENROUTER_BASE_URL;
    this.baseUrl = safeBaseUrl(url);
    this.maxTokens = options.maxTokens ?? d.maxTokens;
    this.timeoutMs = options.timeoutMs ?? d.timeoutMs;
    this.maxAttempts = options.maxAttempts ?? d.maxAttempts;
    this.concurrencyPerModel = options.concurrencyPerModel ?? d.concurrencyPerModel;
    this.minDelayMs = options.minDelayMs ?? d.minDelayMs;
    this.#retryBaseDelayMs = options.retryBaseDelayMs ?? d.retryBaseDelayMs;
    this.#maxRetryDelayMs = options.maxRetryDelayMs ?? d.maxRetryDelayMs;
    requirePositiveInteger(this.maxTokens, "maxTokens", "max_tokens must be explicit and positive");
    requirePositiveInteger(this.timeoutMs, "timeoutMs", "a request timeout in milliseconds, e.g. 180000");
    requirePositiveInteger(this.maxAttempts, "maxAttempts", "1 means no retries");
    requirePositiveInteger(
      this.concurrencyPerModel,
      "concurrencyPerModel",
      "calls in flight per model, e.g. 8",
    );
    requireNonNegativeInteger(this.minDelayMs, "minDelayMs", "0 disables the spacing");
    this.clusterConcurrencyPerModel = options.clusterConcurrencyPerModel;
    this.#clusterSlots = options.clusterSlots;
    if (this.clusterConcurrencyPerModel !== undefined) {
      requirePositiveInteger(
        this.clusterConcurrencyPerModel,
        "clusterConcurrencyPerModel",
        "calls in flight per model across every process, e.g. 8",
      );
      if (this.#clusterSlots === undefined) throw noClusterSlots();
    }
    requireNonNegativeInteger(this.#retryBaseDelayMs, "retryBaseDelayMs", "e.g. 1000");
    requireNonNegativeInteger(this.#maxRetryDelayMs, "maxRetryDelayMs", "e.g. 60000");
    this.#apiKey = options.apiKey;
    this.#logger = options.logger;
    this.#random = options.random ?? Math.random;
    this.#prices = options.prices;
    this.#budget = options.budget;
    this.#requestCost = options.requestCost ?? false;
    const below = new Map<string, number>();
    this.#gate = new ModelGate({
      maxConcurrency: this.concurrencyPerModel,
      initialConcurrency: options.initialConcurrency,
      minDelayMs: this.minDelayMs,
      onCapChange: (model, cap) => {
        if (cap < this.concurrencyPerModel) below.set(model, cap);
        else below.delete(model);
        options.onCapsBelowMax?.(below);
      },
    });
    this.#sdkOptions = {
      apiKey: options.apiKey,
      baseURL: url,
      maxRetries: 0,
      // Our fetch resolves only once the body is in, so this timeout covers headers and body.
      timeout: this.timeoutMs,
      fetch: createHttpFetch(),
      // The SDK's own logging could print request details; ours is the only logging.
      logLevel: "off",
      organization: null,
      project: null,
      defaultHeaders: options.headers,
    };
  }

  describe(): LlmClientInfo {
    return {
      provider: this.provider,
      offline: false,
      maxTokens: this.maxTokens,
      baseUrl: this.baseUrl,
      timeoutMs: this.timeoutMs,
      maxAttempts: this.maxAttempts,
      concurrencyPerModel: this.concurrencyPerModel,
      minDelayMs: this.minDelayMs,
      ...(this.clusterConcurrencyPerModel === undefined
        ? {}
        : { clusterConcurrencyPerModel: this.clusterConcurrencyPerModel }),
      ...(this.#budget === undefined ? {} : { budgetUsd: this.#budget.limitUsd }),
    };
  }

  /**
   * One call: each attempt holds a slot of the model's adaptive cap while its request is in
   * flight (a retry waits without one, then goes first), then one of the model's cluster-wide
   * slots when there is a cluster cap, and the first also reserves its share of the budget,
   * kept until the call is settled.
   */
  async complete(request: LlmRequest): Promise<LlmResponse> {
    const req = normalizeRequest(request, this.maxTokens);
    const { signal } = request;
    const log = request.log ?? this.#logger;
    let reservation: Reservation | undefined;
    let attempt = 0;
    try {
      for (;;) {
        attempt++;
        const slot = await this.#gate.acquire(req.model, signal, attempt > 1);
        let result: AttemptResult | undefined;
        let releaseClusterSlot: (() => void) | undefined;
        try {
          releaseClusterSlot = await this.#clusterSlot(req.model, signal);
          reservation ??= await this.#budget?.reserve(req.model, promptChars(req), req.maxTokens, signal);
          await this.#gate.awaitTurn(req.model, signal);
          result = await this.#attempt(req, signal);
        } finally {
          releaseClusterSlot?.();
          slot.release(slotOutcome(result));
        }
        if (result.ok) {
          const response = this.#response(req, result.completion, attempt);
          reservation?.settle(response.costUsd, response.usage);
          return response;
        }
        // Servers may echo the Authorization header in error bodies: scrub before logging.
        const failure = { ...result.failure, detail: scrubSecret(result.failure.detail, this.#apiKey) };
        if (failure.kind !== "transient" || attempt >= this.maxAttempts)
          throw this.#error(req, failure, attempt);
        const delayMs = retryDelayMs(attempt, failure.retryAfterMs, {
          baseDelayMs: this.#retryBaseDelayMs,
          maxDelayMs: this.#maxRetryDelayMs,
          random: this.#random,
        });
        log?.warn(
          {
            model: req.model,
            attempt,
            maxAttempts: this.maxAttempts,
            status: failure.status,
            delayMs,
            reason: failure.detail,
          },
          "LLM call failed; retrying",
        );
        await abortableDelay(delayMs, signal);
      }
    } catch (err) {
      // A call that never got an answer is not billed: its reserve goes back.
      reservation?.cancel();
      if (err instanceof DelayAbortedError) throw this.#error(req, abortedFailure(), attempt);
      throw err;
    }
  }

  /** One of the model's slots across every process, when there is a cluster cap. */
  async #clusterSlot(model: string, signal: AbortSignal | undefined): Promise<(() => void) | undefined> {
    if (this.clusterConcurrencyPerModel === undefined || this.#clusterSlots === undefined) return undefined;
    try {
      return await this.#clusterSlots.acquire(`llm:${model}`, this.clusterConcurrencyPerModel, signal);
    } catch (err) {
      if (signal?.aborted) throw new DelayAbortedError();
      throw err;
    }
  }

  async #attempt(req: NormalizedRequest, signal: AbortSignal | undefined): Promise<AttemptResult> {
    if (signal?.aborted) return { ok: false, failure: abortedFailure() };
    // A signal of its own per attempt: the SDK adds an abort listener to the signal it is given
    // and never removes it, so the run's shared signal must not be handed over directly.
    const { sdk, client } = await this.#loadSdk();
    const link = linkAbort(signal);
    try {
      const body: unknown = await client.chat.completions.create(
        {
          model: req.model,
          messages: req.messages,
          max_tokens: req.maxTokens,
          ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
          ...(this.#requestCost ? USAGE_WITH_COST : {}),
        },
        link.signal === undefined ? undefined : { signal: link.signal },
      );
      const completion = readCompletion(body);
      if (!isUnusable(completion)) return { ok: true, completion };
      return { ok: false, failure: garbledFailure(completion.problem, completion.providerStatus) };
    } catch (err) {
      if (signal?.aborted) return { ok: false, failure: abortedFailure() };
      return { ok: false, failure: classifyThrown(err, this.timeoutMs, sdk) };
    } finally {
      link.unlink();
    }
  }

  /** The SDK client, made on the first call (see openai-sdk.ts for why it loads late). */
  #loadSdk(): Promise<{ sdk: OpenAiSdk; client: OpenAI }> {
    this.#sdk ??= loadOpenAiSdk().then((sdk) => ({ sdk, client: new sdk.default(this.#sdkOptions) }));
    return this.#sdk;
  }

  #response(req: NormalizedRequest, completion: Completion, attempts: number): LlmResponse {
    return {
      ...callCost(completion.usage, this.#prices?.(req.model)),
      text: completion.text,
      finishReason: completion.finishReason,
      usage: completion.usage,
      model: completion.model ?? req.model,
      provider: this.provider,
      offline: false,
      attempts,
    };
  }

  #error(req: NormalizedRequest, failure: AttemptFailure, attempt: number): LlmError {
    const exhausted =
      failure.kind === "transient" ? ` (gave up after ${attempt} attempt${attempt === 1 ? "" : "s"})` : "";
    const detail = scrubSecret(failure.detail, this.#apiKey);
    const message = scrubSecret(`LLM call to ${req.model} failed: ${detail}${exhausted}`, this.#apiKey);
    return new LlmError(failure.code, message, {
      detail,
      model: req.model,
      status: failure.status,
      attempt,
      retryable: failure.kind === "transient",
      hint: scrubSecret(failure.hint, this.#apiKey),
      provider: this.provider,
      baseUrl: this.baseUrl,
    });
  }
}

function noClusterSlots(): LlmConfigError {
  return new LlmConfigError(
    "DD_LLM_CLUSTER_CONCURRENCY caps LLM calls across the processes sharing an instance, but this client was given no cluster slots (only `assets materialize` runs have them)",
    {
      variable: "DD_LLM_CLUSTER_CONCURRENCY",
      hint: "unset DD_LLM_CLUSTER_CONCURRENCY for this process (DD_LLM_CONCURRENCY still caps it), or make the calls from an `assets materialize` run",
    },
  );
}

/** What an attempt tells the adaptive cap: a 429 lowers it, a success raises it. */
function slotOutcome(result: AttemptResult | undefined): SlotOutcome {
  if (result === undefined) return { kind: "other" };
  if (result.ok) return { kind: "ok" };
  if (result.failure.status === 429)
    return { kind: "rate-limited", retryAfterMs: result.failure.retryAfterMs };
  return { kind: "other" };
}

function promptChars(req: NormalizedRequest): number {
  return req.messages.reduce((n, m) => n + m.content.length, 0);
}
