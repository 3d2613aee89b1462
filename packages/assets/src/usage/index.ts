/** `@daydream/assets/usage`: LLM token and cost totals, light enough for the CLI to load on demand. */
export { dataRoot } from "../config/data-root.ts";
export { formatUsd } from "../llm/format-usd.ts";
export { type CohortUsage, cohortUsage, listCohortIds } from "./cohort-usage.ts";
export {
  type UsageEntry,
  type UsageReport,
  type UsageRow,
  type UsageSums,
  UsageTotals,
  usageOfGeneration,
  usageOfStep,
} from "./llm-usage.ts";
