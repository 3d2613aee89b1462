import OpenAI from "openai";
import { linkAbort } from "./abort-link.ts";
import { abortableDelay, DelayAbortedError } from "./abortable-delay.ts";
import { type AttemptFailure, abortedFailure, classifyThrown, garbledFailure } from "./attempt-failure.ts";
import { OPENROUTER_BASE_URL, safeBaseUrl } from "./base-url.ts";
import { type Completion, isUnusable, readCompletion } from "./completion-body.ts";
import { LlmConfigError, LlmError, scrubSecret } from "./errors.ts";
import { createHttpFetch } from "./http-fetch.ts";
import { ModelGate } from "./model-gate.ts";
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
}

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
  readonly #retryBaseDelayMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #apiKey: string;
  readonly #sdk: OpenAI;
  readonly #gate: ModelGate;
  readonly #logger: LlmLogger | undefined;
  readonly #random: () => number;

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
    requireNonNegativeInteger(this.#retryBaseDelayMs, "retryBaseDelayMs", "e.g. 1000");
    requireNonNegativeInteger(this.#maxRetryDelayMs, "maxRetryDelayMs", "e.g. 60000");
    this.#apiKey = options.apiKey;
    this.#logger = options.logger;
    this.#random = options.random ?? Math.random;
    this.#gate = new ModelGate(this.concurrencyPerModel, this.minDelayMs);
    this.#sdk = new OpenAI({
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
    });
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
    };
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const req = normalizeRequest(request, this.maxTokens);
    const { signal } = request;
    const log = request.log ?? this.#logger;
    let release: (() => void) | undefined;
    let attempt = 0;
    try {
      release = await this.#gate.acquire(req.model, signal);
      for (;;) {
        attempt++;
        await this.#gate.awaitTurn(req.model, signal);
        const result = await this.#attempt(req, signal);
        if (result.ok) return this.#response(req, result.completion, attempt);
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
      if (err instanceof DelayAbortedError) throw this.#error(req, abortedFailure(), attempt);
      throw err;
    } finally {
      release?.();
    }
  }

  async #attempt(req: NormalizedRequest, signal: AbortSignal | undefined): Promise<AttemptResult> {
    if (signal?.aborted) return { ok: false, failure: abortedFailure() };
    // A signal of its own per attempt: the SDK adds an abort listener to the signal it is given
    // and never removes it, so the run's shared signal must not be handed over directly.
    const link = linkAbort(signal);
    try {
      const body: unknown = await this.#sdk.chat.completions.create(
        {
          model: req.model,
          messages: req.messages,
          max_tokens: req.maxTokens,
          ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
        },
        link.signal === undefined ? undefined : { signal: link.signal },
      );
      const completion = readCompletion(body);
      if (!isUnusable(completion)) return { ok: true, completion };
      return { ok: false, failure: garbledFailure(completion.problem, completion.providerStatus) };
    } catch (err) {
      if (signal?.aborted) return { ok: false, failure: abortedFailure() };
      return { ok: false, failure: classifyThrown(err, this.timeoutMs) };
    } finally {
      link.unlink();
    }
  }

  #response(req: NormalizedRequest, completion: Completion, attempts: number): LlmResponse {
    return {
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
