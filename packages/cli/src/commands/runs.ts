/**
 * `assets runs [--limit N] [--status S]`, `assets runs show RUN_ID` and `assets runs cancel RUN_ID`:
 * flags and help; the work is in run/runs.ts and run/runs-cancel.ts.
 */
import type { Command } from "commander";
import { examples, lazyAction } from "../action.ts";
import { parsePositiveInt, parseRunStatus } from "../options.ts";

export function registerRuns(program: Command): void {
  const runs = program
    .command("runs")
    .description("list recent runs (newest first); `runs show RUN_ID` for one run")
    .option("--limit <n>", "show at most N runs", parsePositiveInt, 20)
    .option("--status <status>", "only runs with this status", parseRunStatus)
    .option("--json", "print a JSON array of runs")
    .addHelpText(
      "after",
      examples([
        ["npx assets runs", "the 20 most recent runs"],
        ["npx assets runs --status failed --limit 5", "the last 5 failed runs"],
        ["npx assets runs show <run_id>", "steps and failures of one run"],
        ["npx assets runs cancel <run_id>", "cancel a run enqueued with --executor queue"],
      ]),
    )
    .action(lazyAction(async () => (await import("../run/runs.ts")).runRuns));

  runs
    .command("show")
    .description("one run: status, step counts, failures with their first error line, log path")
    .argument("<run_id>", "run id (see `assets runs`)")
    .option("--json", "print one JSON object")
    .addHelpText("after", examples([["npx assets runs show <run_id>", "what happened in a run"]]))
    .action(lazyAction(async () => (await import("../run/runs.ts")).runRunsShow));

  runs
    .command("cancel")
    .description(
      "cancel a run enqueued with `materialize --executor queue`: its queued steps are removed, the workers stop its running ones",
    )
    .argument("<run_id>", "run id (see `assets runs`)")
    .option("--json", "print what was canceled as one JSON object")
    .addHelpText(
      "after",
      "\nA run materialize runs in its own process is stopped there (Ctrl-C, or kill -INT PID);\n" +
        "the error says which process. Exit 2 for an unknown or already finished run.\n" +
        examples([
          ["npx assets runs cancel <run_id>", "cancel a queued run"],
          ["npx assets runs cancel <run_id> --json", "and print {runId, canceledSteps, removedJobs}"],
        ]),
    )
    .action(lazyAction(async () => (await import("../run/runs-cancel.ts")).runRunsCancel));
}
