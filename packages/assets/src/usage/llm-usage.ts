/**
 * Token and cost totals of LLM responses, by stage and model, from what the response steps
 * record: the step metadata of a run (`assets runs show`, the run summary) or the metadata.json
 * files of a cohort's generations (`assets cost`). A response whose cost is unknown counts as a
 * call and its tokens, but adds nothing to the cost: it is counted apart, never guessed.
 */

/** One LLM response, as its metadata records it. */
export interface UsageEntry {
  stage: string;
  model: string;
  promptTokens: number | null;
  completionTokens: number | null;
  costUsd: number | null;
}

export interface UsageSums {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /** Sum of the known costs. */
  costUsd: number;
  /** Calls whose cost is unknown (no provider figure and no price): not in costUsd. */
  unpricedCalls: number;
}

export interface UsageRow extends UsageSums {
  stage: string;
  model: string;
}

export interface UsageReport {
  /** By stage (draft, essay, evaluation, then others) and model. */
  rows: UsageRow[];
  total: UsageSums;
}

const STAGE_ORDER = ["draft", "essay", "evaluation"];

function emptySums(): UsageSums {
  return { calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, unpricedCalls: 0 };
}

function addTo(sums: UsageSums, e: UsageEntry): void {
  sums.calls++;
  sums.promptTokens += e.promptTokens ?? 0;
  sums.completionTokens += e.completionTokens ?? 0;
  if (e.costUsd === null) sums.unpricedCalls++;
  // Summed in billionths of a cent, so thousands of small costs do not drift.
  else sums.costUsd = Math.round((sums.costUsd + e.costUsd) * 1e11) / 1e11;
}

export class UsageTotals {
  readonly #rows = new Map<string, UsageRow>();
  readonly #total = emptySums();

  add(entry: UsageEntry): void {
    const key = `${entry.stage}\u0000${entry.model}`;
    let row = this.#rows.get(key);
    if (row === undefined) {
      row = { stage: entry.stage, model: entry.model, ...emptySums() };
      this.#rows.set(key, row);
    }
    addTo(row, entry);
    addTo(this.#total, entry);
  }

  report(): UsageReport {
    const rank = (stage: string) => {
      const i = STAGE_ORDER.indexOf(stage);
      return i < 0 ? STAGE_ORDER.length : i;
    };
    const rows = [...this.#rows.values()].sort(
      (a, b) =>
        rank(a.stage) - rank(b.stage) || a.stage.localeCompare(b.stage) || a.model.localeCompare(b.model),
    );
    return { rows: rows.map((r) => ({ ...r })), total: { ...this.#total } };
  }
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/**
 * The usage a response step recorded in its materialization metadata; undefined for steps
 * that are not LLM responses (they record no `cost_usd` key).
 */
export function usageOfStep(
  assetKey: string,
  metadata: Record<string, unknown> | null | undefined,
): UsageEntry | undefined {
  if (metadata === null || metadata === undefined || !("cost_usd" in metadata)) return undefined;
  return {
    stage: text(metadata.stage) || assetKey,
    model: text(metadata.model_id) || text(metadata.model) || "(unknown model)",
    promptTokens: numberOrNull(metadata.prompt_tokens),
    completionTokens: numberOrNull(metadata.completion_tokens),
    costUsd: numberOrNull(metadata.cost_usd),
  };
}

/** The usage of a generation's metadata.json; undefined unless an LLM wrote it (mode `llm`). */
export function usageOfGeneration(metadata: Record<string, unknown>): UsageEntry | undefined {
  if (metadata.mode !== "llm") return undefined;
  const usage =
    typeof metadata.usage === "object" && metadata.usage !== null
      ? (metadata.usage as Record<string, unknown>)
      : {};
  return {
    stage: text(metadata.stage),
    model: text(metadata.model_id) || text(metadata.model_name) || "(unknown model)",
    promptTokens: numberOrNull(usage.prompt_tokens),
    completionTokens: numberOrNull(usage.completion_tokens),
    // Written before costs were recorded: unknown, like a response without a price.
    costUsd: numberOrNull(metadata.cost_usd),
  };
}
