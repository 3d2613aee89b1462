import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LlmError } from "./errors.ts";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "./fake-openai-server.ts";
import { OpenAiCompatibleClient, type OpenAiCompatibleClientOptions } from "./openai-client.ts";
import type { LlmLogger } from "./types.ts";

const API_KEY = "sk-or-v1-TESTSECRET-0123456789abcdef";
const MODEL = "test/model-a";

interface CapturedLog {
  obj: object;
  msg: string;
}

let server: FakeOpenAiServer;
let logs: CapturedLog[];
const logger: LlmLogger = { warn: (obj, msg) => logs.push({ obj, msg }) };

beforeEach(async () => {
  server = await startFakeOpenAiServer();
  logs = [];
});
afterEach(async () => {
  await server.close();
});

function client(opts: Partial<OpenAiCompatibleClientOptions> = {}): OpenAiCompatibleClient {
  return new OpenAiCompatibleClient({
    apiKey: API_KEY,
    baseUrl: server.baseUrl,
    timeoutMs: 2000,
    maxAttempts: 3,
    retryBaseDelayMs: 5,
    maxRetryDelayMs: 2000,
    logger,
    ...opts,
  });
}

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LlmError);
  return err as LlmError;
}

describe("OpenAiCompatibleClient", () => {
  it("returns the text, finish reason, usage and model of a successful completion", async () => {
    server.enqueue({
      kind: "ok",
      text: "hello there",
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
    const res = await client().complete({
      model: MODEL,
      prompt: "Say hello",
      maxTokens: 64,
      temperature: 0.2,
    });
    expect(res).toEqual({
      text: "hello there",
      finishReason: "stop",
      usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 },
      model: MODEL,
      provider: "openai-compatible",
      offline: false,
      attempts: 1,
      costUsd: null,
      costSource: null,
    });
    const sent = server.requests[0];
    expect(sent.url).toBe("/v1/chat/completions");
    expect(sent.body).toMatchObject({
      model: MODEL,
      max_tokens: 64,
      temperature: 0.2,
      messages: [{ role: "user", content: "Say hello" }],
    });
  });

  it("sends the client's default max_tokens explicitly when the request gives none", async () => {
    await client({ maxTokens: 777 }).complete({ model: MODEL, prompt: "x" });
    expect(server.requests[0].body).toMatchObject({ max_tokens: 777 });
  });

  it("rejects a non-positive maxTokens before calling the server", async () => {
    await expect(client().complete({ model: MODEL, prompt: "x", maxTokens: 0 })).rejects.toThrow(/maxTokens/);
    expect(() => client({ maxTokens: -5 })).toThrow(/maxTokens must be a positive integer/);
    expect(server.requests).toHaveLength(0);
  });

  it("passes messages through unchanged", async () => {
    const messages = [
      { role: "system" as const, content: "be brief" },
      { role: "user" as const, content: "hi" },
    ];
    await client().complete({ model: MODEL, messages });
    expect(server.requests[0].body).toMatchObject({ messages });
  });

  it("waits for Retry-After on a 429 before retrying, then succeeds", async () => {
    server.enqueue(
      { kind: "status", status: 429, headers: { "retry-after": "1" } },
      { kind: "ok", text: "after wait" },
    );
    const res = await client().complete({ model: MODEL, prompt: "x" });
    expect(res.text).toBe("after wait");
    expect(res.attempts).toBe(2);
    const gap = server.requests[1].receivedAt - server.requests[0].receivedAt;
    expect(gap).toBeGreaterThanOrEqual(1000);
    expect(logs).toHaveLength(1);
    expect(logs[0].obj).toMatchObject({ model: MODEL, attempt: 1, status: 429 });
    expect((logs[0].obj as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(1000);
  });

  it("retries a 500 and returns the later success", async () => {
    server.enqueue({ kind: "status", status: 500 }, { kind: "ok", text: "recovered" });
    const res = await client().complete({ model: MODEL, prompt: "x" });
    expect(res.text).toBe("recovered");
    expect(server.requests).toHaveLength(2);
  });

  it("times out a hanging request and succeeds on the retry", async () => {
    server.enqueue({ kind: "hang" }, { kind: "ok", text: "second try" });
    const res = await client({ timeoutMs: 200 }).complete({ model: MODEL, prompt: "x" });
    expect(res.text).toBe("second try");
    expect(res.attempts).toBe(2);
  });

  it("times out a response whose body never finishes", async () => {
    server.enqueue({ kind: "hang-body" }, { kind: "ok", text: "complete body" });
    const res = await client({ timeoutMs: 200 }).complete({ model: MODEL, prompt: "x" });
    expect(res.text).toBe("complete body");
  });

  it("fails with a retryable timeout error once every attempt has timed out", async () => {
    server.enqueue({ kind: "hang" }, { kind: "hang" });
    const err = await failure(
      client({ timeoutMs: 150, maxAttempts: 2 }).complete({ model: MODEL, prompt: "x" }),
    );
    expect(err.code).toBe("LLM_TIMEOUT");
    expect(err.retryable).toBe(true);
    expect(err.attempt).toBe(2);
    expect(err.model).toBe(MODEL);
    expect(err.hint).toMatch(/DD_LLM_TIMEOUT_MS/);
    expect(server.requests).toHaveLength(2);
  });

  it("returns finish_reason length as such (truncation is the caller's rule)", async () => {
    server.enqueue({ kind: "ok", text: "cut off mid", finishReason: "length" });
    const res = await client().complete({ model: MODEL, prompt: "x" });
    expect(res.finishReason).toBe("length");
    expect(res.text).toBe("cut off mid");
  });

  it("retries a malformed JSON body and a body without choices", async () => {
    server.enqueue(
      { kind: "malformed" },
      { kind: "json", body: { hello: "world" } },
      { kind: "ok", text: "fine" },
    );
    const res = await client().complete({ model: MODEL, prompt: "x" });
    expect(res.text).toBe("fine");
    expect(res.attempts).toBe(3);
  });

  it("gives up on garbled bodies after maxAttempts with a retryable error", async () => {
    server.enqueue({ kind: "malformed" }, { kind: "malformed" });
    const err = await failure(client({ maxAttempts: 2 }).complete({ model: MODEL, prompt: "x" }));
    expect(err.code).toBe("LLM_GARBLED_RESPONSE");
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/gave up after 2 attempts/);
  });

  it("does not retry a 401 and hints at the API key", async () => {
    server.enqueue({ kind: "status", status: 401, body: JSON.stringify({ error: { message: "bad key" } }) });
    const err = await failure(client().complete({ model: MODEL, prompt: "x" }));
    expect(err.status).toBe(401);
    expect(err.retryable).toBe(false);
    expect(err.hint).toMatch(/DD_LLM_API_KEY/);
    expect(server.requests).toHaveLength(1);
  });

  it("does not follow a redirect and hints at the base URL it points to", async () => {
    server.enqueue({
      kind: "status",
      status: 308,
      headers: { location: "https://api.example.test/v1/chat" },
    });
    const err = await failure(client().complete({ model: MODEL, prompt: "x" }));
    expect([err.code, err.status, err.retryable]).toEqual(["LLM_HTTP_ERROR", 308, false]);
    expect(err.hint).toMatch(/redirected to https:\/\/api\.example\.test\/v1\/chat .*DD_LLM_BASE_URL/);
    expect(server.requests).toHaveLength(1);
  });

  it("does not retry a provider error reported with a 4xx code inside a 200 body", async () => {
    server.enqueue({ kind: "json", body: { error: { message: "no such model", code: 404 } } });
    const err = await failure(client().complete({ model: MODEL, prompt: "x" }));
    expect(err.code).toBe("LLM_PROVIDER_ERROR");
    expect(err.status).toBe(404);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("no such model");
    expect(server.requests).toHaveLength(1);
  });

  it("sends the key in the Authorization header but never in logs, errors or descriptions", async () => {
    const echo = JSON.stringify({ error: { message: `invalid key ${API_KEY} (Bearer ${API_KEY})` } });
    server.enqueue(
      { kind: "status", status: 503, body: echo },
      { kind: "status", status: 503, body: echo },
      { kind: "status", status: 403, body: echo },
    );
    const c = client();
    const err = await failure(c.complete({ model: MODEL, prompt: "x" }));
    expect(server.requests[0].headers.authorization).toBe(`Bearer ${API_KEY}`);
    const leaks = [
      err.message,
      err.describe(),
      err.hint ?? "",
      String(err.stack),
      JSON.stringify(err),
      JSON.stringify(logs),
      JSON.stringify(c),
      JSON.stringify(c.describe()),
    ];
    expect(logs.length).toBe(2);
    for (const text of leaks) expect(text).not.toContain(API_KEY);
    expect(err.message).toContain("[redacted]");
  });

  it("keeps at most concurrencyPerModel calls in flight per model", async () => {
    const slow = await startFakeOpenAiServer({ delayMs: 60 });
    try {
      const c = new OpenAiCompatibleClient({
        apiKey: API_KEY,
        baseUrl: slow.baseUrl,
        concurrencyPerModel: 2,
      });
      const calls = [];
      for (let i = 0; i < 6; i++) calls.push(c.complete({ model: MODEL, prompt: `a${i}` }));
      for (let i = 0; i < 6; i++) calls.push(c.complete({ model: "test/model-b", prompt: `b${i}` }));
      await Promise.all(calls);
      expect(slow.maxInFlight(MODEL)).toBe(2);
      expect(slow.maxInFlight("test/model-b")).toBe(2);
      expect(slow.maxInFlight()).toBe(4);
    } finally {
      await slow.close();
    }
  });

  it("spaces the starts of calls to one model by minDelayMs", async () => {
    const c = client({ minDelayMs: 150, concurrencyPerModel: 4 });
    await Promise.all([0, 1, 2].map((i) => c.complete({ model: MODEL, prompt: `p${i}` })));
    const times = server.requests.map((r) => r.receivedAt).sort((a, b) => a - b);
    // Without spacing all three arrive together; allow for scheduling noise on a busy machine.
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(100);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(100);
  });

  it("stops on abort during a request without retrying", async () => {
    server.enqueue({ kind: "hang" });
    const controller = new AbortController();
    const call = client({ timeoutMs: 5000 }).complete({
      model: MODEL,
      prompt: "x",
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    const err = await failure(call);
    expect(err.code).toBe("LLM_ABORTED");
    expect(err.retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it("stops on abort during the backoff wait", async () => {
    server.enqueue({ kind: "status", status: 429, headers: { "retry-after": "30" } });
    const controller = new AbortController();
    const started = Date.now();
    const call = client({ maxRetryDelayMs: 60_000 }).complete({
      model: MODEL,
      prompt: "x",
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    const err = await failure(call);
    expect(err.code).toBe("LLM_ABORTED");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.requests).toHaveLength(1);
  });

  it("adds a single abort listener to a signal shared by many calls in flight", async () => {
    const slow = await startFakeOpenAiServer({ delayMs: 1000, recordRequests: false });
    try {
      const controller = new AbortController();
      const c = client({ baseUrl: slow.baseUrl, concurrencyPerModel: 20, initialConcurrency: 20 });
      const calls = Array.from({ length: 20 }, (_, i) =>
        c.complete({ model: MODEL, prompt: `p${i}`, signal: controller.signal }),
      );
      await vi.waitFor(() => expect(slow.inFlight()).toBe(20), { timeout: 900 });
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
      await Promise.all(calls);
    } finally {
      await slow.close();
    }
  });

  it("does not call the server when the signal is already aborted", async () => {
    const err = await failure(client().complete({ model: MODEL, prompt: "x", signal: AbortSignal.abort() }));
    expect(err.code).toBe("LLM_ABORTED");
    expect(server.requests).toHaveLength(0);
  });

  it("retries a refused connection and reports it with a base URL hint", async () => {
    const gone = await startFakeOpenAiServer();
    const baseUrl = gone.baseUrl;
    await gone.close();
    const err = await failure(client({ baseUrl, maxAttempts: 2 }).complete({ model: MODEL, prompt: "x" }));
    expect(err.code).toBe("LLM_CONNECTION");
    expect(err.attempt).toBe(2);
    expect(err.hint).toMatch(/DD_LLM_BASE_URL/);
  });

  it("strips credentials and query from the base URL it reports", () => {
    const c = client({ baseUrl: "https://user:pw@example.test/api/v1/?token=abc" });
    expect(c.baseUrl).toBe("https://example.test/api/v1");
    expect(() => client({ baseUrl: "not a url" })).toThrow(/invalid LLM base URL/);
  });
});
