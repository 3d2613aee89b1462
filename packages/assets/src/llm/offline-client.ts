import { createHash } from "node:crypto";
import { LlmError } from "./errors.ts";
import { countWhitespaceTokens, normalizeRequest } from "./request.ts";
import type { ChatMessage, LlmClient, LlmClientInfo, LlmRequest, LlmResponse } from "./types.ts";

export const OFFLINE_DEFAULT_MAX_TOKENS = 8192;

// Plain words only: no digits, slashes or "score" words, so score parsers see just the last line.
const WORDS = [
  "lantern",
  "harbor",
  "signal",
  "garden",
  "mirror",
  "current",
  "archive",
  "bridge",
  "compass",
  "meadow",
  "engine",
  "thread",
  "canopy",
  "orbit",
  "ledger",
  "prism",
  "river",
  "scaffold",
  "beacon",
  "circuit",
  "atlas",
  "furnace",
  "kernel",
  "lattice",
  "mosaic",
  "needle",
  "outpost",
  "pulse",
  "quarry",
  "relay",
  "spindle",
  "tide",
  "umbra",
  "vessel",
  "willow",
  "anchor",
  "bramble",
  "cipher",
  "delta",
  "ember",
  "fable",
  "glacier",
  "hinge",
  "island",
  "junction",
  "keystone",
  "loom",
  "marrow",
  "nexus",
  "oracle",
  "pillar",
  "quill",
  "ripple",
  "summit",
  "tangle",
  "vortex",
  "wander",
  "yarrow",
  "zenith",
  "cobalt",
  "drift",
  "fathom",
  "grove",
  "harvest",
];
const VERBS = ["connects", "reframes", "borrows from", "inverts", "extends", "echoes", "grounds", "tests"];

/**
 * Deterministic text for `(model, prompt)`, shaped so that every registered parser accepts it:
 * an `<essay-idea>` block (tags on their own lines, 3 body lines) for `essay_idea_last`,
 * an `<essay>` block for `essay_block`, and a last line `SCORE: X.Y` (0-10) for
 * `in_last_line` and `complex`.
 */
export function offlineCompletionText(model: string, prompt: string): string {
  const digest = createHash("sha256").update(model).update("\u0000").update(prompt).digest();
  const bytes = expand(digest, 64);
  let cursor = 0;
  const word = () => WORDS[bytes[cursor++] % WORDS.length];
  const verb = () => VERBS[bytes[cursor++] % VERBS.length];
  const sentence = () => `The ${word()} ${verb()} the ${word()} and the ${word()}.`;
  // 0.0-9.9: one integer digit, the form every score parser reads as an exact SCORE line.
  const score = (digest[31] % 100) / 10;
  const lines = [
    "[offline] Deterministic placeholder response: no language model was called.",
    `Digest ${digest.toString("hex").slice(0, 12)} selects the words below.`,
    '<essay-idea stage="1">',
    `A ${word()} that ${verb()} the ${word()}.`,
    `It ${verb()} the ${word()} through the ${word()}.`,
    `A first trial ${verb()} the ${word()} with the ${word()}.`,
    "</essay-idea>",
    "<essay>",
    sentence(),
    sentence(),
    sentence(),
    "</essay>",
    `SCORE: ${score.toFixed(1)}`,
  ];
  return lines.join("\n");
}

/**
 * The embedded default client: no network, output derived from a SHA-256 of model and prompt.
 * Every response says `offline: true` and provider "offline" so metadata records it.
 */
export class OfflineLlmClient implements LlmClient {
  readonly provider = "offline";
  readonly offline = true;
  readonly maxTokens: number;

  constructor(options: { maxTokens?: number } = {}) {
    this.maxTokens = options.maxTokens ?? OFFLINE_DEFAULT_MAX_TOKENS;
  }

  describe(): LlmClientInfo {
    return { provider: this.provider, offline: true, maxTokens: this.maxTokens };
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const req = normalizeRequest(request, this.maxTokens);
    if (request.signal?.aborted) {
      throw new LlmError("LLM_ABORTED", `LLM call to ${req.model} failed: cancelled`, {
        model: req.model,
        attempt: 0,
        retryable: false,
        hint: "the run was cancelled; re-run the partition to generate it",
        provider: this.provider,
      });
    }
    const prompt = promptText(req.messages);
    const text = offlineCompletionText(req.model, prompt);
    const promptTokens = countWhitespaceTokens(prompt);
    const completionTokens = countWhitespaceTokens(text);
    return {
      text,
      finishReason: "stop",
      usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
      model: req.model,
      provider: this.provider,
      offline: true,
      attempts: 1,
      // Nothing was called, so nothing was spent: a fact, not a guess.
      costUsd: 0,
      costSource: "offline",
    };
  }
}

/** A single prompt hashes as itself; a chat history as its role-tagged messages. */
function promptText(messages: ChatMessage[]): string {
  if (messages.length === 1 && messages[0].role === "user") return messages[0].content;
  return messages.map((m) => `${m.role}: ${m.content}`).join("\n");
}

/** Stretch a digest to `n` bytes by chaining SHA-256. */
function expand(seed: Buffer, n: number): Buffer {
  const parts: Buffer[] = [seed];
  let total = seed.length;
  let last = seed;
  while (total < n) {
    last = createHash("sha256").update(last).digest();
    parts.push(last);
    total += last.length;
  }
  return Buffer.concat(parts);
}
