import type { APIError } from "openai";
import type { OpenAiSdk } from "./openai-sdk.ts";
import { isRetryableStatus, parseRetryAfter } from "./retry-policy.ts";

/** One failed attempt, classified for the retry loop: only `transient` failures are retried. */
export interface AttemptFailure {
  kind: "aborted" | "transient" | "permanent";
  code: string;
  status?: number;
  retryAfterMs?: number;
  detail: string;
  hint: string;
}

export function garbledFailure(problem: string, providerStatus: number | undefined): AttemptFailure {
  const permanent = providerStatus !== undefined && !isRetryableStatus(providerStatus);
  return {
    kind: permanent ? "permanent" : "transient",
    code: providerStatus === undefined ? "LLM_GARBLED_RESPONSE" : "LLM_PROVIDER_ERROR",
    status: providerStatus,
    detail: `unusable response: ${problem}`,
    hint: "the provider returned a malformed answer; retry later or try another model or base URL",
  };
}

export function abortedFailure(): AttemptFailure {
  return {
    kind: "aborted",
    code: "LLM_ABORTED",
    detail: "cancelled",
    hint: "the run was cancelled; re-run the partition to generate it",
  };
}

export function timeoutFailure(timeoutMs: number): AttemptFailure {
  return {
    kind: "transient",
    code: "LLM_TIMEOUT",
    detail: `no complete response within ${timeoutMs} ms`,
    hint: "raise DD_LLM_TIMEOUT_MS for slow models, or check that the server is up",
  };
}

/** Map what the SDK threw (HTTP status errors, connection errors, bad JSON) to a failure kind. */
export function classifyThrown(err: unknown, timeoutMs: number, sdk: OpenAiSdk): AttemptFailure {
  if (err instanceof sdk.APIConnectionTimeoutError) return timeoutFailure(timeoutMs);
  if (err instanceof sdk.APIConnectionError) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return {
      kind: "transient",
      code: "LLM_CONNECTION",
      detail: `connection failed (${err.message}${cause})`,
      hint: "check DD_LLM_BASE_URL and that the server is reachable",
    };
  }
  if (err instanceof sdk.APIError && typeof err.status === "number") return statusFailure(err);
  if (err instanceof SyntaxError) return garbledFailure(`body is not valid JSON (${err.message})`, undefined);
  // Anything else thrown while talking to the server (socket reset mid-body...) is treated as transient.
  return {
    kind: "transient",
    code: "LLM_CONNECTION",
    detail: `request failed (${err instanceof Error ? err.message : String(err)})`,
    hint: "check DD_LLM_BASE_URL and the network",
  };
}

function statusFailure(err: APIError): AttemptFailure {
  const status = err.status as number;
  const detail = `HTTP ${status}: ${err.message}`;
  if (isRetryableStatus(status)) {
    return {
      kind: "transient",
      code: status === 429 ? "LLM_RATE_LIMITED" : "LLM_SERVER_ERROR",
      status,
      retryAfterMs: parseRetryAfter(err.headers),
      detail,
      hint:
        status === 429
          ? "the provider is rate-limiting: lower DD_LLM_CONCURRENCY or set DD_LLM_MIN_DELAY_MS"
          : "the provider had a server error; retry later",
    };
  }
  return { kind: "permanent", code: "LLM_HTTP_ERROR", status, detail, hint: statusHint(status, err.headers) };
}

function statusHint(status: number, headers: Headers | undefined): string {
  if (status >= 300 && status <= 399) {
    const location = headers?.get("location");
    const where = location ? ` to ${location}` : "";
    return `the server redirected${where} (redirects are not followed): set DD_LLM_BASE_URL to the final URL`;
  }
  if (status === 401 || status === 403) {
    return "the API key was rejected: check DD_LLM_API_KEY / OPENROUTER_API_KEY and the provider account";
  }
  if (status === 404) return "unknown model or endpoint: check the model name and DD_LLM_BASE_URL";
  if (status === 400 || status === 422)
    return "the provider rejected the request: check the model name and DD_LLM_MAX_TOKENS";
  return "the provider refused the request; see its message above";
}
