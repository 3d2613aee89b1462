/** LLM tokens and cost by stage and model: the run summary, `runs show` and `assets cost`. */
import { formatUsd, type UsageReport, type UsageSums } from "@daydream/assets/usage";
import type { Painter } from "./colors.ts";
import { plural } from "./format.ts";
import { renderTable } from "./table.ts";

const COUNT = new Intl.NumberFormat("en-US");

function costCell(sums: UsageSums): string {
  // Part of the calls unpriced: the sum is only a lower bound.
  if (sums.unpricedCalls === sums.calls) return "unknown";
  return sums.unpricedCalls > 0 ? `>= ${formatUsd(sums.costUsd)}` : formatUsd(sums.costUsd);
}

function cells(sums: UsageSums): string[] {
  return [
    COUNT.format(sums.calls),
    COUNT.format(sums.promptTokens),
    COUNT.format(sums.completionTokens),
    costCell(sums),
  ];
}

/** The table, a total row when there is more than one row, and a note on unpriced calls. */
export function renderUsage(report: UsageReport, p: Painter, indent = "  "): string {
  if (report.total.calls === 0) return "";
  const rows = report.rows.map((r) => [r.stage, r.model, ...cells(r)]);
  if (report.rows.length > 1) rows.push([p.bold("total"), "", ...cells(report.total)]);
  const table = renderTable(
    ["STAGE", "MODEL", "CALLS", "PROMPT TOKENS", "COMPLETION TOKENS", "COST"],
    rows,
    p,
  )
    .trimEnd()
    .split("\n")
    .map((line) => `${indent}${line}`)
    .join("\n");
  const unpriced = report.total.unpricedCalls;
  const note =
    unpriced > 0
      ? `\n${indent}${p.yellow(`${plural(unpriced, "call")} without a known cost`)} (the provider gave none and the model has no price): ` +
        "fill prompt_usd_per_mtok and completion_usd_per_mtok in data/1_raw/llm_models.csv"
      : "";
  return `${table}${note}\n`;
}
