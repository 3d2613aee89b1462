/** `assets wipe KEY [--partition K] --yes`: flags and help; the work is in run/wipe.ts. */
import type { Command } from "commander";
import { examples, lazyAction } from "../action.ts";

export function registerWipe(program: Command): void {
  program
    .command("wipe")
    .description("forget the materialization records of an asset and its check results (never deletes files)")
    .argument("<key>", "asset key")
    .option("--partition <key>", "only this partition")
    .option("--yes", "confirm")
    .option("--json", "print a JSON object")
    .addHelpText(
      "after",
      examples([
        ["npx assets wipe cohort_membership --yes", "the asset is never-materialized again"],
        ["npx assets wipe draft_response --partition <gen_id> --yes", "one partition"],
      ]),
    )
    .action(lazyAction(async () => (await import("../run/wipe.ts")).runWipe));
}
