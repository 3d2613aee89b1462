/** `assets worker [--concurrency N] [--queue NAME] [--once]`: flags and help; the work is in run/worker.ts. */
import type { Command } from "commander";
import { examples, lazyAction } from "../action.ts";
import { parsePositiveInt, parseSeconds } from "../options.ts";

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description(
      "compute the steps of runs enqueued with `materialize --executor queue`, on this machine, until stopped (the instance must be on PostgreSQL: ASSETS_STORAGE)",
    )
    .option("--concurrency <n>", "steps computed at once (default 8)", parsePositiveInt)
    .option("--queue <name>", "take only the steps of runs enqueued with --queue NAME (default: default)")
    .option("--once", "compute what is queued, then exit (also the steps the runs enqueue meanwhile)")
    .option(
      "--grace-seconds <s>",
      "on SIGTERM or Ctrl-C, how long steps in flight may take to finish before they are stopped and handed back to the queue",
      parseSeconds,
      30,
    )
    .option("--json", "print the worker's summary as one JSON document")
    .addHelpText(
      "after",
      "\nOne line per finished step on stderr (step, outcome, duration, run), a summary on stdout\n" +
        "when the worker ends. SIGTERM or Ctrl-C: no new steps, those in flight get --grace-seconds to\n" +
        "finish, exit 0; a second Ctrl-C exits at once (130) and the steps it was computing go back to\n" +
        "the queue once its lease (ASSETS_LEASE_SECONDS) runs out. Exit 0 whatever the steps' outcomes:\n" +
        "the runs record them (`assets runs show RUN_ID`); 1 if the worker lost its lease.\n" +
        "Run logs stay on the machine that computed the step, under its $ASSETS_HOME/logs.\n" +
        "DD_LLM_BUDGET_USD in a worker's environment caps what that worker spends on LLM calls.\n" +
        examples([
          ["npx assets worker", "take steps from the default queue until Ctrl-C"],
          [
            "npx assets worker --concurrency 16 --queue gpu",
            "16 steps at once, runs enqueued with --queue gpu",
          ],
          ["npx assets worker --once", "drain the queue, then exit (e.g. in a batch job)"],
          ["npx assets worker --grace-seconds 120", "on SIGTERM, give running LLM calls 2 minutes to finish"],
        ]),
    )
    .action(lazyAction(async () => (await import("../run/worker.ts")).runWorkerCommand));
}
