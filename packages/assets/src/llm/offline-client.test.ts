import { describe, expect, it } from "vitest";
import { draftParserNames, getDraftParser } from "../parsing/draft-parsers.ts";
import { evaluationParserNames, parseEvaluationScore } from "../parsing/evaluation-parsers.ts";
import { LlmError } from "./errors.ts";
import { OfflineLlmClient, offlineCompletionText } from "./offline-client.ts";

const client = new OfflineLlmClient();

function nonEmptyLines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "");
}

describe("OfflineLlmClient", () => {
  it("is deterministic for the same model and prompt and differs otherwise", async () => {
    const a = await client.complete({ model: "m/one", prompt: "Write about rivers." });
    const b = await client.complete({ model: "m/one", prompt: "Write about rivers." });
    const c = await client.complete({ model: "m/two", prompt: "Write about rivers." });
    const d = await client.complete({ model: "m/one", prompt: "Write about lanterns." });
    expect(a.text).toBe(b.text);
    expect(c.text).not.toBe(a.text);
    expect(d.text).not.toBe(a.text);
  });

  it("labels its responses as offline with a stop finish reason and whitespace-token usage", async () => {
    const res = await client.complete({ model: "m", prompt: "one two  three\nfour" });
    expect(res).toMatchObject({
      finishReason: "stop",
      provider: "offline",
      offline: true,
      model: "m",
      attempts: 1,
      costUsd: 0,
      costSource: "offline",
    });
    const completionTokens = res.text.split(/\s+/).filter(Boolean).length;
    expect(res.usage).toEqual({ promptTokens: 4, completionTokens, totalTokens: 4 + completionTokens });
    expect(res.text).toMatch(/^\[offline\]/);
    expect(client.describe()).toEqual({ provider: "offline", offline: true, maxTokens: client.maxTokens });
  });

  it("produces text shaped for every parser: idea block, essay block and a last SCORE line", () => {
    for (let i = 0; i < 50; i++) {
      const text = offlineCompletionText("model/x", `prompt ${i}`);
      const lines = text.split("\n");
      expect(nonEmptyLines(text).length).toBeGreaterThanOrEqual(3);
      const open = lines.indexOf('<essay-idea stage="1">');
      const close = lines.indexOf("</essay-idea>");
      expect(open).toBeGreaterThanOrEqual(0);
      expect(close - open - 1).toBeGreaterThanOrEqual(3);
      expect(lines.slice(open + 1, close).every((l) => l.trim() !== "")).toBe(true);
      expect(text).toMatch(/<essay>\n[^<]+\n<\/essay>/);
      const last = lines[lines.length - 1];
      expect(last).toMatch(/^SCORE: \d\.\d$/);
      const score = Number(last.slice("SCORE: ".length));
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(10);
      // Nothing else may look like a score or a fraction to the score parsers.
      const prose = lines.slice(0, -1).filter((l) => !l.startsWith("<"));
      expect(prose.join("\n")).not.toMatch(/score|\//i);
    }
  });

  it("is accepted by every registered draft and evaluation parser", () => {
    expect(draftParserNames().length).toBeGreaterThanOrEqual(3);
    expect(evaluationParserNames().length).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < 30; i++) {
      const text = offlineCompletionText("vendor/model-7", `prompt number ${i}`);
      const expectedScore = Number(text.split("\n").at(-1)?.slice("SCORE: ".length));
      for (const name of draftParserNames()) {
        const parsed = getDraftParser(name)(text);
        // An llm essay needs a parent draft with at least 3 non-empty lines.
        expect(nonEmptyLines(parsed).length, name).toBeGreaterThanOrEqual(3);
      }
      for (const name of evaluationParserNames()) {
        expect(parseEvaluationScore(text, name), name).toBe(expectedScore);
      }
    }
  });

  it("spreads scores over the range rather than repeating one value", () => {
    const scores = new Set<string>();
    for (let i = 0; i < 40; i++) scores.add(offlineCompletionText("m", `p${i}`).split("\n").at(-1) ?? "");
    expect(scores.size).toBeGreaterThan(10);
  });

  it("hashes a chat history with its roles", async () => {
    const single = await client.complete({ model: "m", prompt: "hi" });
    const asMessage = await client.complete({ model: "m", messages: [{ role: "user", content: "hi" }] });
    const withSystem = await client.complete({
      model: "m",
      messages: [
        { role: "system", content: "be terse" },
        { role: "user", content: "hi" },
      ],
    });
    expect(asMessage.text).toBe(single.text);
    expect(withSystem.text).not.toBe(single.text);
  });

  it("validates requests like the network client", async () => {
    await expect(client.complete({ model: "m", prompt: "x", maxTokens: 0 })).rejects.toThrow(/maxTokens/);
    await expect(client.complete({ model: "", prompt: "x" })).rejects.toThrow(/model/);
    await expect(
      client.complete({ model: "m", prompt: "x", signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(LlmError);
  });
});
