/** `assets list [--select SEL] [--json]`: flags and help; the work is in run/list.ts. */
import type { Command } from "commander";
import { examples, lazyAction } from "../action.ts";

export function registerList(program: Command): void {
  program
    .command("list")
    .description("list assets: group, partitions, deps, last materialization and status")
    .option("--select <selection>", "only the selected assets")
    .option("--json", "print an array of asset objects")
    .addHelpText(
      "after",
      examples([
        ["npx assets list", "every asset"],
        ["npx assets list --select group:cohort", "the assets of one group"],
        [
          "npx assets list --select 'group:generation*'",
          "the assets of the groups whose name starts with generation",
        ],
        ["npx assets list --json", "machine-readable: key, group, deps, partitions, last materialization"],
      ]),
    )
    .action(lazyAction(async () => (await import("../run/list.ts")).runList));
}
