import { AssetsError, type ErrorContext } from "@daydream/core";

export interface LlmErrorOptions {
  model: string;
  status?: number;
  attempt: number;
  retryable: boolean;
  hint: string;
  provider?: string;
  baseUrl?: string;
  /** What failed, without the model or the attempt count (e.g. "HTTP 503: ..."); defaults to the message. */
  detail?: string;
  /** Every HTTP request made for one result when it took several calls (a step retried by the engine). */
  requests?: number;
}

/**
 * A failed LLM call. Thrown after the client's own retries: `retryable` is true only for
 * transient failures (rate limit, 5xx, timeout, garbled body) so an asset-level retry policy
 * may try again later; permanent ones (bad key, unknown model, abort) are not retryable.
 */
export class LlmError extends AssetsError {
  readonly model: string;
  readonly status: number | undefined;
  readonly attempt: number;
  readonly retryable: boolean;
  readonly detail: string;
  /** The options it was made with, to restate the failure with more context (see LlmErrorOptions.requests). */
  readonly options: LlmErrorOptions;

  constructor(code: string, message: string, opts: LlmErrorOptions, cause?: unknown) {
    const context: ErrorContext = {
      model: opts.model,
      status: opts.status,
      attempt: opts.attempt,
      requests: opts.requests,
      provider: opts.provider,
      base_url: opts.baseUrl,
    };
    super(code, message, { context, hint: opts.hint, userError: false, cause });
    this.model = opts.model;
    this.status = opts.status;
    this.attempt = opts.attempt;
    this.retryable = opts.retryable;
    this.detail = opts.detail ?? message;
    this.options = opts;
  }
}

/** Bad LLM configuration (env variables, client options, request arguments). */
export class LlmConfigError extends AssetsError {
  constructor(message: string, opts: { variable?: string; hint: string }) {
    super("LLM_CONFIG", message, { context: { variable: opts.variable }, hint: opts.hint, userError: true });
  }
}

/** Replace every occurrence of the secret (and any bearer token) so it cannot leak through text. */
export function scrubSecret(text: string, secret: string | undefined): string {
  let out = text.replace(/Bearer\s+[^\s"',;]+/gi, "Bearer [redacted]");
  if (secret) out = out.split(secret).join("[redacted]");
  return out;
}
