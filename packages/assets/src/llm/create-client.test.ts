import { describe, expect, it } from "vitest";
import { createLlmClient } from "./create-client.ts";
import { LlmConfigError } from "./errors.ts";
import { OfflineLlmClient } from "./offline-client.ts";
import { OpenAiCompatibleClient } from "./openai-client.ts";

const KEY = "sk-or-v1-CREATECLIENT-secret";

function configError(fn: () => unknown): LlmConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LlmConfigError);
    return err as LlmConfigError;
  }
  throw new Error("expected an LlmConfigError");
}

describe("createLlmClient", () => {
  it("defaults to the offline client", () => {
    const client = createLlmClient({});
    expect(client).toBeInstanceOf(OfflineLlmClient);
    expect(client.describe()).toMatchObject({ provider: "offline", offline: true });
  });

  it("builds the OpenAI-compatible client for OpenRouter by default with OPENROUTER_API_KEY", () => {
    const client = createLlmClient({ DD_LLM: "openai", OPENROUTER_API_KEY: KEY });
    expect(client).toBeInstanceOf(OpenAiCompatibleClient);
    expect(client.describe()).toMatchObject({ baseUrl: "https://openrouter.ai/api/v1", offline: false });
    expect(JSON.stringify(client.describe())).not.toContain(KEY);
  });

  it("reads base URL and tuning variables, DD_LLM_API_KEY winning over OPENROUTER_API_KEY", () => {
    const client = createLlmClient({
      DD_LLM: "OpenAI",
      DD_LLM_API_KEY: "local",
      OPENROUTER_API_KEY: KEY,
      DD_LLM_BASE_URL: "http://127.0.0.1:11434/v1",
      DD_LLM_TIMEOUT_MS: "5000",
      DD_LLM_MAX_ATTEMPTS: "2",
      DD_LLM_CONCURRENCY: "3",
      DD_LLM_MIN_DELAY_MS: "0",
      DD_LLM_MAX_TOKENS: "1234",
    });
    expect(client.describe()).toEqual({
      provider: "openai-compatible",
      offline: false,
      baseUrl: "http://127.0.0.1:11434/v1",
      maxTokens: 1234,
      timeoutMs: 5000,
      maxAttempts: 2,
      concurrencyPerModel: 3,
      minDelayMs: 0,
    });
  });

  it("applies DD_LLM_MAX_TOKENS to the offline client too", () => {
    expect(createLlmClient({ DD_LLM_MAX_TOKENS: "99" }).maxTokens).toBe(99);
  });

  it("fails with a hint when openai is chosen without a key", () => {
    const err = configError(() => createLlmClient({ DD_LLM: "openai", DD_LLM_API_KEY: "  " }));
    expect(err.message).toMatch(/DD_LLM_API_KEY.*OPENROUTER_API_KEY/);
    expect(err.hint).toMatch(/export DD_LLM_API_KEY/);
  });

  it("names the variable holding an invalid number", () => {
    for (const [name, value] of [
      ["DD_LLM_TIMEOUT_MS", "abc"],
      ["DD_LLM_MAX_ATTEMPTS", "0"],
      ["DD_LLM_CONCURRENCY", "2.5"],
      ["DD_LLM_MIN_DELAY_MS", "-1"],
      ["DD_LLM_MAX_TOKENS", "0"],
    ]) {
      const err = configError(() =>
        createLlmClient({ DD_LLM: "openai", DD_LLM_API_KEY: KEY, [name]: value }),
      );
      expect(err.message).toContain(name);
      expect(err.context.variable).toBe(name);
      expect(err.message).not.toContain(KEY);
    }
  });

  it("rejects an unknown DD_LLM value listing the accepted ones", () => {
    const err = configError(() => createLlmClient({ DD_LLM: "gpt" }));
    expect(err.message).toMatch(/offline, openai/);
  });

  it("reads the budget as US dollars > 0 and refuses anything else", () => {
    const client = createLlmClient({ DD_LLM: "openai", DD_LLM_API_KEY: KEY, DD_LLM_BUDGET_USD: "2.5" });
    expect(client.describe()).toMatchObject({ budgetUsd: 2.5 });
    for (const bad of ["0", "-1", "two", "1e3"]) {
      const err = configError(() => createLlmClient({ DD_LLM_BUDGET_USD: bad }));
      expect(err.message).toContain("DD_LLM_BUDGET_USD");
    }
  });

  it("reads the cluster-wide cap per model, which needs the run's cluster slots", () => {
    const clusterSlots = { acquire: async () => () => {} };
    const env = { DD_LLM: "openai", DD_LLM_API_KEY: KEY, DD_LLM_CLUSTER_CONCURRENCY: "4" };
    expect(createLlmClient(env, { clusterSlots }).describe()).toMatchObject({
      clusterConcurrencyPerModel: 4,
    });
    const outside = configError(() => createLlmClient(env));
    expect(outside.context.variable).toBe("DD_LLM_CLUSTER_CONCURRENCY");
    expect(outside.message).toContain("this client was given no cluster slots");
    expect(outside.hint).toMatch(
      /unset DD_LLM_CLUSTER_CONCURRENCY for this process.*`assets materialize` run/,
    );
    // the offline client calls no provider: it needs no slots, but a bad value still fails
    expect(createLlmClient({ DD_LLM_CLUSTER_CONCURRENCY: "4" })).toBeInstanceOf(OfflineLlmClient);
    for (const bad of ["0", "-2", "2.5", "many"]) {
      const err = configError(() => createLlmClient({ DD_LLM_CLUSTER_CONCURRENCY: bad }));
      expect(err.message).toContain(`DD_LLM_CLUSTER_CONCURRENCY must be a whole number >= 1`);
      expect(err.message).toContain(JSON.stringify(bad));
      expect(err.context.variable).toBe("DD_LLM_CLUSTER_CONCURRENCY");
      expect(err.hint).toMatch(/DD_LLM_CLUSTER_CONCURRENCY=8.*or unset it/);
    }
  });
});
