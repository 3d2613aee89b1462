/** `assets lineage KEY`: flags and help; the work is in run/lineage.ts. */
import type { Command } from "commander";
import { examples, lazyAction } from "../action.ts";

export function registerLineage(program: Command): void {
  program
    .command("lineage")
    .description(
      "show the chain of partitions a partition key belongs to (e.g. draft -> essay -> evaluations) with each one's status",
    )
    .argument("<key>", "a partition key, e.g. a gen_id")
    .option("--json", "print one JSON object")
    .addHelpText(
      "after",
      examples([
        ["npx assets lineage <gen_id>", "for an essay: its draft, the essay, and the essay's evaluations"],
        ["npx assets lineage <gen_id> --json", "machine-readable"],
      ]) +
        "\nThe chain follows the partition mappings of the definitions (each essay's parent draft,\n" +
        "each evaluation's parent essay, from the task tables). For each generation: template,\n" +
        "model, directory and files, and per asset its status and latest check results.\n",
    )
    .action(lazyAction(async () => (await import("../run/lineage.ts")).runLineage));
}
