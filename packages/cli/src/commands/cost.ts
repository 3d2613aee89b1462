/** `assets cost [--cohort ID] [--json]`: flags and help; the work is in run/cost.ts. */
import type { Command } from "commander";
import { examples, lazyAction } from "../action.ts";

export function registerCost(program: Command): void {
  program
    .command("cost")
    .description("LLM tokens and cost of each cohort's responses, by stage and model (from metadata.json)")
    .option("--cohort <cohort_id>", "one cohort (default: every cohort under data/cohorts)")
    .option("--json", "print one JSON document")
    .addHelpText(
      "after",
      "\nA cohort pays for the responses its runs wrote; generations it reuses from another cohort\n" +
        "count there. A response whose cost is unknown (no provider figure, no price in\n" +
        "llm_models.csv) counts its tokens and is listed apart; its cost is never guessed.\n" +
        examples([
          ["npx assets cost", "every cohort"],
          ["npx assets cost --cohort <cohort_id> --json", "one cohort, as JSON"],
        ]),
    )
    .action(lazyAction(async () => (await import("../run/cost.ts")).runCost));
}
