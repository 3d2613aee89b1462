import { LlmConfigError } from "./errors.ts";
import type { ChatMessage, LlmRequest } from "./types.ts";

const ROLES = new Set(["system", "user", "assistant"]);

export interface NormalizedRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens: number;
  temperature: number | undefined;
}

/** Validate a request and turn `prompt` into messages; the same rules for every client. */
export function normalizeRequest(request: LlmRequest, defaultMaxTokens: number): NormalizedRequest {
  const { model } = request;
  if (typeof model !== "string" || model.trim() === "") {
    throw new LlmConfigError("LLM request without a model name", {
      hint: "pass the provider's model name (the `model` column of llm_models.csv)",
    });
  }
  const maxTokens = request.maxTokens ?? defaultMaxTokens;
  requirePositiveInteger(
    maxTokens,
    "maxTokens",
    "max_tokens must be explicit and positive (DD_LLM_MAX_TOKENS)",
  );
  const { temperature } = request;
  if (temperature !== undefined && !(Number.isFinite(temperature) && temperature >= 0)) {
    throw new LlmConfigError(`LLM temperature must be a number >= 0, got ${temperature}`, {
      variable: "temperature",
      hint: "use e.g. 0.7, or leave it out for the provider's default",
    });
  }
  return { model, messages: toMessages(request), maxTokens, temperature };
}

function toMessages(request: LlmRequest): ChatMessage[] {
  const hasPrompt = request.prompt !== undefined;
  const hasMessages = request.messages !== undefined;
  if (hasPrompt === hasMessages) {
    throw new LlmConfigError("LLM request needs exactly one of `prompt` or `messages`", {
      hint: "pass the rendered prompt as `prompt`, or a chat history as `messages`",
    });
  }
  if (hasPrompt) {
    if (typeof request.prompt !== "string") {
      throw new LlmConfigError("LLM request `prompt` must be a string", {
        hint: "pass the rendered prompt text",
      });
    }
    return [{ role: "user", content: request.prompt }];
  }
  const messages = request.messages ?? [];
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new LlmConfigError("LLM request `messages` must be a non-empty array", {
      hint: "give at least one { role: 'user', content } message",
    });
  }
  for (const [i, m] of messages.entries()) {
    if (!m || !ROLES.has(m.role) || typeof m.content !== "string") {
      throw new LlmConfigError(
        `LLM request message ${i} is not { role: system|user|assistant, content: string }`,
        {
          hint: "fix the message list passed to complete()",
        },
      );
    }
  }
  return messages.map((m) => ({ role: m.role, content: m.content }));
}

/** Throws an LlmConfigError naming `name` unless `value` is an integer >= 1. */
export function requirePositiveInteger(value: unknown, name: string, hint: string): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new LlmConfigError(`${name} must be a positive integer, got ${String(value)}`, {
      variable: name,
      hint,
    });
  }
}

/** Throws an LlmConfigError naming `name` unless `value` is an integer >= 0. */
export function requireNonNegativeInteger(
  value: unknown,
  name: string,
  hint: string,
): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new LlmConfigError(`${name} must be an integer >= 0, got ${String(value)}`, {
      variable: name,
      hint,
    });
  }
}

/** Whitespace-separated token count: a rough usage figure for clients without a tokenizer. */
export function countWhitespaceTokens(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}
