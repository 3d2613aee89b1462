import { StepNotStartedError } from "@daydream/core";
import { DelayAbortedError } from "./abortable-delay.ts";
import { type ModelPrice, type PriceLookup, priceTokens } from "./call-cost.ts";
import { LlmConfigError } from "./errors.ts";
import { formatUsd } from "./format-usd.ts";

/** The completions a model's reserve is taken from: the largest of its latest ones. */
const RECENT = 20;
/** Prompt tokens per character until a model reported its usage: an overestimate on purpose. */
const DEFAULT_TOKENS_PER_CHAR = 1 / 3;

/** A call kept from starting because the run's budget would be passed: its step ends not started. */
export class BudgetReachedError extends StepNotStartedError {
  constructor(limitUsd: number, spentUsd: number) {
    super("LLM_BUDGET_REACHED", `budget of ${formatUsd(limitUsd)} reached (${formatUsd(spentUsd)} spent)`, {
      context: { budget_usd: limitUsd, spent_usd: spentUsd },
      hint: "raise --budget-usd (or DD_LLM_BUDGET_USD) and run again with --missing to do the rest",
    });
  }
}

/** Money set aside for one call in flight; settle it with what the call cost, or cancel it. */
export interface Reservation {
  /** The call's real cost (null: unknown, the reserve is then kept as its cost). */
  settle(costUsd: number | null, usage: { promptTokens: number; completionTokens: number } | null): void;
  /** The call made no billable request (it failed or was aborted). */
  cancel(): void;
}

interface ModelHistory {
  completions: number[];
  tokensPerChar: number;
}

interface Waiter {
  retry(): void;
}

/**
 * A run's spending cap. A call starts only when what was spent, plus a reserve for every call
 * in flight, plus its own reserve stays within the limit. Its reserve is its prompt at the
 * model's price (size from the model's reported tokens per character) plus a completion as
 * large as the model's largest recent one, `max_tokens` until the model has answered once.
 * A call that does not fit waits while others are in flight (their real cost may leave room);
 * once one does not fit with nothing in flight, the budget is reached and no call starts again.
 */
export class LlmBudget {
  readonly limitUsd: number;
  readonly #prices: PriceLookup;
  #spentUsd = 0;
  #reservedUsd = 0;
  #inFlight = 0;
  #reached = false;
  readonly #history = new Map<string, ModelHistory>();
  readonly #waiters: Waiter[] = [];

  constructor(limitUsd: number, prices: PriceLookup) {
    this.limitUsd = limitUsd;
    this.#prices = prices;
  }

  get spentUsd(): number {
    return this.#spentUsd;
  }

  /** Set money aside for a call, waiting for calls in flight when they leave too little. */
  async reserve(
    model: string,
    promptChars: number,
    maxTokens: number,
    signal?: AbortSignal,
  ): Promise<Reservation> {
    const price = this.#priceOf(model);
    const amount = this.#estimate(model, price, promptChars, maxTokens);
    for (;;) {
      if (this.#reached) throw new BudgetReachedError(this.limitUsd, this.#spentUsd);
      if (this.#spentUsd + this.#reservedUsd + amount <= this.limitUsd)
        return this.#hold(model, amount, promptChars);
      if (this.#inFlight === 0) {
        this.#reached = true;
        this.#wakeAll();
        throw new BudgetReachedError(this.limitUsd, this.#spentUsd);
      }
      await this.#nextSettle(signal);
    }
  }

  #priceOf(model: string): ModelPrice {
    const price = this.#prices(model);
    if (price !== undefined) return price;
    throw unpricedModelError([model]);
  }

  #estimate(model: string, price: ModelPrice, promptChars: number, maxTokens: number): number {
    const history = this.#history.get(model);
    const promptTokens = Math.ceil(promptChars * (history?.tokensPerChar ?? DEFAULT_TOKENS_PER_CHAR));
    const completionTokens =
      history === undefined || history.completions.length === 0
        ? maxTokens
        : Math.min(maxTokens, Math.max(...history.completions));
    return priceTokens(price, promptTokens, completionTokens);
  }

  #hold(model: string, amount: number, promptChars: number): Reservation {
    this.#reservedUsd += amount;
    this.#inFlight++;
    let open = true;
    const close = (): void => {
      open = false;
      this.#reservedUsd -= amount;
      this.#inFlight--;
    };
    return {
      settle: (costUsd, usage) => {
        if (!open) return;
        close();
        this.#spentUsd += costUsd ?? amount;
        if (usage !== null) this.#learn(model, usage, promptChars);
        this.#wakeAll();
      },
      cancel: () => {
        if (!open) return;
        close();
        this.#wakeAll();
      },
    };
  }

  #learn(
    model: string,
    usage: { promptTokens: number; completionTokens: number },
    promptChars: number,
  ): void {
    let history = this.#history.get(model);
    if (history === undefined) {
      history = { completions: [], tokensPerChar: DEFAULT_TOKENS_PER_CHAR };
      this.#history.set(model, history);
    }
    history.completions.push(usage.completionTokens);
    if (history.completions.length > RECENT) history.completions.shift();
    if (promptChars > 0) history.tokensPerChar = usage.promptTokens / promptChars;
  }

  #nextSettle(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(new DelayAbortedError());
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new DelayAbortedError());
      };
      const waiter: Waiter = {
        retry: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.#waiters.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #wakeAll(): void {
    for (const waiter of this.#waiters.splice(0)) waiter.retry();
  }
}

/** A budget needs a price for every model it may pay for. */
export function unpricedModelError(models: string[]): LlmConfigError {
  const list = models.map((m) => JSON.stringify(m)).join(", ");
  return new LlmConfigError(
    `a budget is set but model${models.length === 1 ? "" : "s"} ${list} ${models.length === 1 ? "has" : "have"} no price`,
    {
      variable: "DD_LLM_BUDGET_USD",
      hint:
        "fill prompt_usd_per_mtok and completion_usd_per_mtok (US dollars per million tokens) for " +
        `${models.length === 1 ? "it" : "them"} in data/1_raw/llm_models.csv, or run without --budget-usd`,
    },
  );
}
