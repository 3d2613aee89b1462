import type { LlmUsage } from "./types.ts";

export interface Completion {
  text: string;
  finishReason: string | null;
  usage: LlmUsage | null;
  model: string | undefined;
}

/** Why a 200 response could not be used. */
export interface UnusableBody {
  problem: string;
  /** Set when the provider reported an error inside a 200 body (OpenRouter does). */
  providerStatus?: number;
}

/**
 * Read a chat-completions body defensively: the SDK hands back whatever the server sent
 * (a string for non-JSON content types), so every field is checked before use.
 */
export function readCompletion(body: unknown): Completion | UnusableBody {
  if (typeof body === "string") return { problem: `body is not JSON (${describeText(body)})` };
  if (!isRecord(body))
    return { problem: `body is not a JSON object (${body === undefined ? "empty" : typeof body})` };
  const { choices } = body;
  if (!Array.isArray(choices) || choices.length === 0) {
    if (isRecord(body.error)) {
      const code = body.error.code;
      return {
        problem: `provider error in body: ${String(body.error.message ?? "no message")}`,
        providerStatus: typeof code === "number" ? code : undefined,
      };
    }
    return { problem: "body has no `choices`" };
  }
  const first = choices[0];
  if (!isRecord(first) || !isRecord(first.message)) return { problem: "first choice has no `message`" };
  const text = readContent(first.message.content);
  if (text === undefined) return { problem: "message `content` is neither text nor null" };
  return {
    text,
    finishReason: typeof first.finish_reason === "string" ? first.finish_reason : null,
    usage: readUsage(body.usage),
    model: typeof body.model === "string" && body.model !== "" ? body.model : undefined,
  };
}

export function isUnusable(value: Completion | UnusableBody): value is UnusableBody {
  return "problem" in value;
}

/** Content may be a string, null (nothing generated, e.g. truncated reasoning) or text parts. */
function readContent(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (Array.isArray(content)) {
    const parts = content.map((p) => (isRecord(p) && typeof p.text === "string" ? p.text : undefined));
    return parts.every((p) => p !== undefined) ? parts.join("") : undefined;
  }
  return undefined;
}

function readUsage(usage: unknown): LlmUsage | null {
  if (!isRecord(usage)) return null;
  const prompt = usage.prompt_tokens;
  const completion = usage.completion_tokens;
  if (typeof prompt !== "number" || typeof completion !== "number") return null;
  const total = typeof usage.total_tokens === "number" ? usage.total_tokens : prompt + completion;
  const read: LlmUsage = { promptTokens: prompt, completionTokens: completion, totalTokens: total };
  // OpenRouter reports the charge in credits (US dollars) as `usage.cost` when asked to.
  const cost = usage.cost;
  if (typeof cost === "number" && Number.isFinite(cost) && cost >= 0) read.providerCostUsd = cost;
  return read;
}

function describeText(text: string): string {
  const head = text.slice(0, 80).replace(/\s+/g, " ").trim();
  return head === "" ? "empty" : `starts with ${JSON.stringify(head)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
