/**
 * LLM tokens and cost of a cohort, by stage and model, from the metadata.json of its members
 * (see packages/assets: each response records usage and cost_usd). A cohort pays for the
 * responses its runs wrote (metadata.json names it); generations it reuses count for the cohort
 * that made them. An unknown cost (null) is counted apart, never guessed.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { UiDataError } from "../errors.ts";
import type { MemberRow } from "./membership.ts";
import { genDir } from "./scan.ts";

export interface CostSums {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  unpricedCalls: number;
}

export interface CostRow extends CostSums {
  stage: string;
  model: string;
}

export interface CohortCost {
  rows: CostRow[];
  total: CostSums;
}

const empty = (): CostSums => ({
  calls: 0,
  promptTokens: 0,
  completionTokens: 0,
  costUsd: 0,
  unpricedCalls: 0,
});

function add(sums: CostSums, tokens: Record<string, unknown>, cost: unknown): void {
  sums.calls++;
  sums.promptTokens += typeof tokens.prompt_tokens === "number" ? tokens.prompt_tokens : 0;
  sums.completionTokens += typeof tokens.completion_tokens === "number" ? tokens.completion_tokens : 0;
  if (typeof cost === "number") sums.costUsd = Math.round((sums.costUsd + cost) * 1e11) / 1e11;
  else sums.unpricedCalls++;
}

export function cohortCost(dataRoot: string, cohortId: string, rows: MemberRow[]): CohortCost {
  const byKey = new Map<string, CostRow>();
  const total = empty();
  for (const row of rows) {
    const meta = readMetadata(path.join(genDir(dataRoot, row.stage, row.genId), "metadata.json"));
    if (meta === undefined || meta.mode !== "llm" || meta.cohort_id !== cohortId) continue;
    const model = (typeof meta.model_id === "string" && meta.model_id) || String(meta.model_name ?? "");
    const key = `${row.stage}\u0000${model}`;
    let entry = byKey.get(key);
    if (entry === undefined) {
      entry = { stage: row.stage, model, ...empty() };
      byKey.set(key, entry);
    }
    const usage =
      typeof meta.usage === "object" && meta.usage !== null ? (meta.usage as Record<string, unknown>) : {};
    add(entry, usage, meta.cost_usd);
    add(total, usage, meta.cost_usd);
  }
  return { rows: [...byKey.values()], total };
}

function readMetadata(file: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch (err) {
    throw new UiDataError("metadata_json", `cannot read ${file}: ${(err as Error).message}`, {
      context: { file },
      hint: "regenerate the response (materialize its *_response partition)",
      cause: err,
    });
  }
}
