import { AssetsError, type ErrorContext } from "@daydream/core";

export interface LlmErrorOptions {
  model: string;
  status?: number;
  attempt: number;
  retryable: boolean;
  hint: string;
  provider?: string;
  baseUrl?: string;
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

  constructor(code: string, message: string, opts: LlmErrorOptions) {
    const context: ErrorContext = {
      model: opts.model,
      status: opts.status,
      attempt: opts.attempt,
      provider: opts.provider,
      base_url: opts.baseUrl,
    };
    super(code, message, { context, hint: opts.hint, userError: false });
    this.model = opts.model;
    this.status = opts.status;
    this.attempt = opts.attempt;
    this.retryable = opts.retryable;
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
