import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "./fake-openai-server.ts";
import { OpenAiCompatibleClient, type OpenAiCompatibleClientOptions } from "./openai-client.ts";

const MODEL = "test/priced";
const PRICES = new Map([[MODEL, { promptUsdPerMtok: 3, completionUsdPerMtok: 15 }]]);

let server: FakeOpenAiServer;

beforeEach(async () => {
  server = await startFakeOpenAiServer();
});
afterEach(async () => {
  await server.close();
});

function client(opts: Partial<OpenAiCompatibleClientOptions> = {}): OpenAiCompatibleClient {
  return new OpenAiCompatibleClient({ apiKey: "k", baseUrl: server.baseUrl, maxAttempts: 1, ...opts });
}

describe("the cost of a call", () => {
  it("is the provider's usage.cost, asked for with usage: {include: true}", async () => {
    server.enqueue({
      kind: "ok",
      text: "hi",
      usage: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500, cost: 0.00042 },
    });
    const res = await client({ requestCost: true, prices: (m) => PRICES.get(m) }).complete({
      model: MODEL,
      prompt: "x",
    });
    expect(server.requests[0].body).toMatchObject({ usage: { include: true } });
    expect(res.usage).toEqual({
      promptTokens: 1000,
      completionTokens: 500,
      totalTokens: 1500,
      providerCostUsd: 0.00042,
    });
    expect(res.costUsd).toBe(0.00042);
    expect(res.costSource).toBe("provider");
  });

  it("is the usage at the model's price when the provider gives none", async () => {
    server.enqueue({ kind: "ok", text: "hi", usage: { prompt_tokens: 1000, completion_tokens: 500 } });
    const res = await client({ prices: (m) => PRICES.get(m) }).complete({ model: MODEL, prompt: "x" });
    expect(server.requests[0].body).not.toHaveProperty("usage");
    // 1000 x $3 + 500 x $15 per million tokens
    expect(res.costUsd).toBe(0.0105);
    expect(res.costSource).toBe("price");
  });

  it("is unknown without a price or without usage, never a guess", async () => {
    server.enqueue(
      { kind: "ok", text: "a", usage: { prompt_tokens: 10, completion_tokens: 5 } },
      { kind: "ok", text: "b", usage: null },
    );
    const c = client({ prices: (m) => PRICES.get(m) });
    const unpriced = await c.complete({ model: "test/unpriced", prompt: "x" });
    expect([unpriced.costUsd, unpriced.costSource]).toEqual([null, null]);
    const noUsage = await c.complete({ model: MODEL, prompt: "x" });
    expect([noUsage.costUsd, noUsage.costSource]).toEqual([null, null]);
  });
});
