import { describe, expect, it } from "vitest";
import { BudgetReachedError, LlmBudget } from "./budget.ts";
import { LlmConfigError } from "./errors.ts";

// $1 per million tokens either way: a reserve in dollars is its token count / 1e6.
const PRICE = { promptUsdPerMtok: 1, completionUsdPerMtok: 1 };
const prices = (model: string) => (model === "m" ? PRICE : undefined);

describe("LlmBudget", () => {
  it("reserves the prompt (1 token per 3 chars) and max_tokens until the model has answered", async () => {
    const budget = new LlmBudget(0.001, prices);
    // 300 chars -> 100 prompt tokens + 900 max_tokens = 1000 tokens = $0.001: fits exactly.
    const r = await budget.reserve("m", 300, 900);
    r.settle(0.0002, { promptTokens: 80, completionTokens: 120 });
    expect(budget.spentUsd).toBe(0.0002);
    // Now the model's recent completions (120) size the reserve, not max_tokens.
    const again = await budget.reserve("m", 300, 900);
    again.cancel();
    expect(budget.spentUsd).toBe(0.0002);
  });

  it("waits for calls in flight when their reserve leaves too little, then goes on", async () => {
    const budget = new LlmBudget(0.0015, prices);
    const first = await budget.reserve("m", 300, 900);
    let secondStarted = false;
    const second = budget.reserve("m", 300, 900).then((r) => {
      secondStarted = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(secondStarted).toBe(false);
    first.settle(0.0001, { promptTokens: 100, completionTokens: 50 });
    (await second).settle(0.0001, null);
    expect(budget.spentUsd).toBeCloseTo(0.0002, 10);
  });

  it("is reached when a call does not fit with nothing in flight, and no call starts after", async () => {
    const budget = new LlmBudget(0.0015, prices);
    (await budget.reserve("m", 300, 900)).settle(0.001, { promptTokens: 100, completionTokens: 900 });
    const err = await budget.reserve("m", 300, 900).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetReachedError);
    expect((err as Error).message).toBe("budget of $0.0015 reached ($0.001 spent)");
    expect((err as { notStarted?: boolean }).notStarted).toBe(true);
    // Even a call small enough to fit does not start once the budget is reached.
    await expect(budget.reserve("m", 3, 1)).rejects.toBeInstanceOf(BudgetReachedError);
  });

  it("refuses a model without a price, naming it and the columns to fill", async () => {
    const budget = new LlmBudget(1, prices);
    const err = await budget.reserve("vendor/free", 10, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmConfigError);
    expect((err as Error).message).toContain('"vendor/free"');
    expect((err as LlmConfigError).hint).toMatch(/prompt_usd_per_mtok and completion_usd_per_mtok/);
  });
});
