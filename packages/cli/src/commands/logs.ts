/** `assets logs RUN_ID [--follow] [--raw]`: flags and help; the work is in run/logs.ts. */
import type { Command } from "commander";
import { examples, lazyAction } from "../action.ts";

export function registerLogs(program: Command): void {
  program
    .command("logs")
    .description("print a run's log, pretty-printed (--follow keeps printing while the run goes on)")
    .argument("<run_id>", "run id (see `assets runs`)")
    .option("--follow", "keep printing new lines until the run ends")
    .option("--raw", "print the JSON lines as stored")
    .addHelpText(
      "after",
      examples([
        ["npx assets logs <run_id>", "the log of a finished run"],
        ["npx assets logs <run_id> --follow", "watch a live run"],
        ["npx assets logs <run_id> --raw | jq .msg", "the JSON lines, for other tools"],
      ]),
    )
    .action(lazyAction(async () => (await import("../run/logs.ts")).runLogs));
}
