import { describe, expect, it } from "vitest";
import { isUnusable, readCompletion } from "./completion-body.ts";

describe("readCompletion", () => {
  it("reads text, finish reason, usage and model", () => {
    const body = {
      model: "vendor/m",
      choices: [{ message: { role: "assistant", content: "hi" }, finish_reason: "length" }],
      usage: { prompt_tokens: 4, completion_tokens: 1 },
    };
    expect(readCompletion(body)).toEqual({
      text: "hi",
      finishReason: "length",
      usage: { promptTokens: 4, completionTokens: 1, totalTokens: 5 },
      model: "vendor/m",
    });
  });

  it("treats null content as empty text and joins text parts", () => {
    expect(
      readCompletion({ choices: [{ message: { content: null }, finish_reason: "length" }] }),
    ).toMatchObject({
      text: "",
      finishReason: "length",
      usage: null,
    });
    const parts = {
      choices: [
        {
          message: {
            content: [
              { type: "text", text: "a" },
              { type: "text", text: "b" },
            ],
          },
        },
      ],
    };
    expect(readCompletion(parts)).toMatchObject({ text: "ab", finishReason: null });
  });

  it("flags bodies that are not chat completions", () => {
    for (const body of [
      "<html>busy</html>",
      undefined,
      [],
      { choices: [] },
      { choices: [{}] },
      { choices: [{ message: { content: 5 } }] },
    ]) {
      expect(isUnusable(readCompletion(body))).toBe(true);
    }
  });

  it("reports a provider error sent inside a 200 body with its status code", () => {
    const res = readCompletion({ error: { message: "upstream overloaded", code: 502 } });
    expect(res).toEqual({ problem: "provider error in body: upstream overloaded", providerStatus: 502 });
  });
});
