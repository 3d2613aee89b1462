/** `assets show KEY [--partition K] [--json]`: flags and help; the work is in run/show.ts. */
import type { Command } from "commander";
import { examples, lazyAction } from "../action.ts";

export function registerShow(program: Command): void {
  program
    .command("show")
    .description("show one asset: definition, latest materialization metadata, partition counts, staleness")
    .argument("<key>", "asset key")
    .option("--partition <key>", "show this partition's latest materialization")
    .option("--stale", "list stale partitions: counts by cause (code version, input, upstream) and a sample")
    .option("--json", "print one JSON object")
    .addHelpText(
      "after",
      examples([
        ["npx assets show cohort_membership", "an unpartitioned asset"],
        ["npx assets show draft_response", "counts of materialized / failed / missing partitions"],
        ["npx assets show draft_response --partition <gen_id> --json", "one partition, machine-readable"],
        [
          "npx assets show essay_prompt --stale",
          "which essay prompts are stale, and why (e.g. a template edited)",
        ],
      ]),
    )
    .action(lazyAction(async () => (await import("../run/show.ts")).runShow));
}
