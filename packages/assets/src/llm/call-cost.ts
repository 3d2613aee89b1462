import type { CostSource, LlmUsage } from "./types.ts";

/** US dollars per million tokens (the optional price columns of llm_models.csv). */
export interface ModelPrice {
  promptUsdPerMtok: number;
  completionUsdPerMtok: number;
}

/** The price of a provider model name; undefined when unknown. */
export type PriceLookup = (model: string) => ModelPrice | undefined;

export interface CallCost {
  costUsd: number | null;
  costSource: CostSource | null;
}

const UNKNOWN: CallCost = { costUsd: null, costSource: null };

/** Dollars for `promptTokens` in and `completionTokens` out at `price`. */
export function priceTokens(price: ModelPrice, promptTokens: number, completionTokens: number): number {
  // Rounded to a billionth of a cent so sums of many calls do not show float noise.
  const usd = (promptTokens * price.promptUsdPerMtok + completionTokens * price.completionUsdPerMtok) / 1e6;
  return Math.round(usd * 1e11) / 1e11;
}

/**
 * The cost of one call: the provider's own figure when it gave one, else the usage at the
 * model's price; unknown (null) without either, never a guess.
 */
export function callCost(usage: LlmUsage | null, price: ModelPrice | undefined): CallCost {
  if (usage === null) return UNKNOWN;
  if (usage.providerCostUsd !== undefined) return { costUsd: usage.providerCostUsd, costSource: "provider" };
  if (price === undefined) return UNKNOWN;
  return { costUsd: priceTokens(price, usage.promptTokens, usage.completionTokens), costSource: "price" };
}
