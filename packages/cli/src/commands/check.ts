/** `assets check SEL [--partition K]`: flags and help; the work is in run/check.ts. */
import type { Command } from "commander";
import { examples, lazyAction } from "../action.ts";
import { parsePositiveInt } from "../options.ts";

export function registerCheck(program: Command): void {
  program
    .command("check")
    .description(
      "run the asset checks of the selected assets now (no materialization) and record the results",
    )
    .argument(
      "<selection>",
      "assets whose checks run (same syntax as --select); assets without checks are left out",
    )
    .option("--partition <key>", "one partition key")
    .option("--partitions <keys>", "comma-separated partition keys")
    .option("--all-partitions", "every registered partition key (default: the partitions materialized)")
    .option("--concurrency <n>", "checks run at once (default 8)", parsePositiveInt)
    .option("--json", "print the results as one JSON document")
    .addHelpText(
      "after",
      examples([
        ["npx assets check draft_response", "every check of every materialized draft"],
        ["npx assets check evaluation_response --partition <gen_id>", "one evaluation"],
        ["npx assets check 'group:evaluation' --json", "machine-readable results"],
        ["npx assets check cohort_membership", "re-read membership.csv: parent integrity"],
      ]) +
        "\nExit 0 when no check failed with severity error (warnings are printed), 1 otherwise.\n" +
        "Checks also run after each materialization; `assets show KEY` shows their latest results.\n",
    )
    .action(lazyAction(async () => (await import("../run/check.ts")).runCheck));
}
