import { describe, expect, it } from "vitest";
import { startFakeOpenAiServer } from "./fake-openai-server.ts";
import { OpenAiCompatibleClient } from "./openai-client.ts";

const MODEL = "test/limited";

describe("adaptive per-model limits", () => {
  it("settles below a provider's in-flight limit with few 429s, every call answered", async () => {
    const server = await startFakeOpenAiServer({
      delayMs: 20,
      maxInFlight: 4,
      retryAfterSeconds: 0.05,
      recordRequests: false,
    });
    try {
      const caps: number[] = [];
      const c = new OpenAiCompatibleClient({
        apiKey: "k",
        baseUrl: server.baseUrl,
        concurrencyPerModel: 32,
        onCapsBelowMax: (below) => caps.push(below.get(MODEL) ?? 32),
      });
      const calls = Array.from({ length: 200 }, (_, i) => c.complete({ model: MODEL, prompt: `p${i}` }));
      const results = await Promise.all(calls);
      expect(results.every((r) => r.text !== "")).toBe(true);
      // The slow start overshoots once; after that the cap stays under the level that drew a 429.
      expect(server.rateLimited()).toBeGreaterThan(0);
      expect(server.rateLimited()).toBeLessThan(200 * 0.05);
      // From the first decrease (below the initial 8) on, the cap never passes the limit again.
      const afterDecrease = caps.slice(caps.findIndex((cap) => cap < 8));
      expect(afterDecrease.length).toBeGreaterThan(0);
      expect(Math.max(...afterDecrease)).toBeLessThanOrEqual(4);
    } finally {
      await server.close();
    }
  });

  it("pauses every new call to the model for Retry-After, not calls to other models", async () => {
    const server = await startFakeOpenAiServer();
    try {
      server.enqueue({ kind: "status", status: 429, headers: { "retry-after": "0.4" } });
      const c = new OpenAiCompatibleClient({ apiKey: "k", baseUrl: server.baseUrl });
      const first = c.complete({ model: MODEL, prompt: "first" });
      await new Promise((r) => setTimeout(r, 100));
      const rejectedAt = server.requests[0].receivedAt;
      const others = [
        c.complete({ model: MODEL, prompt: "second" }),
        c.complete({ model: "test/other", prompt: "o" }),
      ];
      await Promise.all([first, ...others]);
      const at = (prompt: string) =>
        server.requests
          .filter((r) => JSON.stringify(r.body).includes(`"${prompt}"`))
          .map((r) => r.receivedAt);
      expect(at("o")[0] - rejectedAt).toBeLessThan(400);
      expect(at("second")[0] - rejectedAt).toBeGreaterThanOrEqual(390);
      expect(at("first")).toHaveLength(2);
    } finally {
      await server.close();
    }
  });
});
