/**
 * `assets materialize --executor queue`: the run is recorded and its steps enqueued for
 * `assets worker` processes (on any machine sharing the instance's PostgreSQL); then the
 * command returns (--detach) or follows the run to its end with the usual progress and summary.
 */
import { type Instance, isUserError, type PartitionsSelector, type RunSummary } from "@daydream/core";
import type { EnqueuedRun } from "@daydream/queue";
import { EXIT_INTERRUPTED, EXIT_OK, UsageError } from "../errors.ts";
import { cancelOnSignals } from "../interrupt.ts";
import { paintErr, paintOut } from "../output/colors.ts";
import { plural } from "../output/format.ts";
import { printJson } from "../output/json.ts";
import { createProgressReporter } from "../output/progress.ts";
import { logsCommand } from "../output/summary.ts";
import type { Project } from "../project-config.ts";
import { readRunConfig, withRunConfigFile } from "../run-config.ts";
import { loadProjectDefinitions, sharedDataRoot, withInstance } from "../session.ts";
import { exitCodeFor, type MaterializeOptions, printSummary, progressMode } from "./materialize.ts";

/** Options that only mean something when the steps run in this process, and what to do instead. */
const IN_PROCESS_ONLY = [
  [
    "concurrency",
    "--concurrency",
    "each worker runs its own number of steps at once: `assets worker --concurrency N`",
  ],
  [
    "failFast",
    "--fail-fast",
    "leave it out: a failed step of a queued run skips its downstream, the other steps go on; `assets runs cancel RUN_ID` stops the rest",
  ],
  [
    "budgetUsd",
    "--budget-usd",
    "a budget caps one process's LLM calls: set DD_LLM_BUDGET_USD in a worker's environment to cap what that worker spends over the steps it computes",
  ],
  [
    "waitForHeld",
    "--wait-for-held",
    "leave it out: a queued step that another run is materializing is handed back to the queue until that run is done",
  ],
] as const;

export async function runQueued(
  opts: MaterializeOptions,
  project: Project,
  partitions: PartitionsSelector | undefined,
): Promise<number> {
  for (const [name, flag, hint] of IN_PROCESS_ONLY) {
    if (opts[name] !== undefined && opts[name] !== false) {
      throw new UsageError(`${flag} does not apply to --executor queue`, { hint });
    }
  }
  const defs = await loadProjectDefinitions(project);
  const runConfig = opts.config === undefined ? undefined : readRunConfig(opts.config);
  const { enqueueRun } = await import("@daydream/queue");
  return withInstance(project, async (instance) => {
    let queued: EnqueuedRun;
    try {
      queued = await enqueueRun(defs, {
        instance,
        selection: opts.select,
        partitions,
        runConfig: runConfig?.config,
        checks: opts.checks !== false,
        queue: opts.queue,
        sharedRoot: sharedDataRoot(),
      });
    } catch (err) {
      throw withRunConfigFile(err, runConfig?.file);
    }
    if (!opts.detach) return follow(instance, queued, opts.json === true);
    if (opts.json) printJson({ ...queued, status: queued.totalSteps === 0 ? "succeeded" : "queued" });
    else process.stdout.write(queuedText(queued));
    return EXIT_OK;
  });
}

function workerCommand(queue: string): string {
  return queue === "default" ? "npx assets worker" : `npx assets worker --queue ${queue}`;
}

function queuedText(q: EnqueuedRun): string {
  if (q.totalSteps === 0) {
    return `Nothing to materialize: the selection planned no steps (run ${q.runId}).\n`;
  }
  return (
    `Queued run ${paintOut.bold(q.runId)}: ${plural(q.totalSteps, "step")} (${q.enqueued} ready) on queue ${q.queue}\n` +
    `  run it:    ${workerCommand(q.queue)}   ${paintOut.dim("(on each machine whose ASSETS_STORAGE is this instance's)")}\n` +
    `  watch it:  npx assets runs show ${q.runId}\n` +
    `  cancel it: npx assets runs cancel ${q.runId}\n`
  );
}

/** Follows the queued run until it ends, as an in-process run is shown; Ctrl-C stops following only. */
async function follow(instance: Instance, queued: EnqueuedRun, json: boolean): Promise<number> {
  const { followRun } = await import("@daydream/queue");
  const { UsageTotals, usageOfStep } = await import("@daydream/assets/usage");
  const usage = new UsageTotals();
  const { runId } = queued;
  const controller = new AbortController();
  const reporter = await createProgressReporter(progressMode(json), paintErr);
  let stoppedBy: string | undefined;
  const stopListening = cancelOnSignals(controller, {
    onFirstSignal(signal) {
      stoppedBy = signal;
    },
    onForcedExit(signal) {
      process.stderr.write(`${signal} again: exiting; run ${runId} goes on in the workers\n`);
    },
  });
  if (queued.totalSteps > 0) {
    reporter.note(
      `Run ${runId} queued on ${queued.queue}: the workers run it (${workerCommand(queued.queue)}); Ctrl-C stops following, not the run`,
    );
  }
  let summary: RunSummary | undefined;
  let inputFailures = 0;
  try {
    summary = await followRun(instance, runId, {
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === "step_success") {
          const entry = usageOfStep(event.assetKey, event.metadata);
          if (entry !== undefined) usage.add(entry);
        } else if (event.type === "notice") reporter.note(`${paintErr.yellow("note:")} ${event.message}`);
        else if (event.type === "step_failure" && isUserError(event.error)) inputFailures++;
        reporter.onEvent(event);
      },
    });
  } finally {
    reporter.stop();
    stopListening();
  }
  if (summary === undefined) {
    process.stderr.write(
      `${paintErr.yellow(`${stoppedBy ?? "interrupted"}: stopped following run ${runId}`)}; it goes on in the workers\n` +
        `  ${paintErr.cyan("hint:")} \`npx assets runs show ${runId}\` shows where it is; \`npx assets runs cancel ${runId}\` cancels it\n`,
    );
    if (json) printJson({ ...queued, status: instance.storage.getRun(runId)?.status, followed: false });
    return EXIT_INTERRUPTED;
  }
  printSummary(
    summary,
    usage.report(),
    json,
    `Logs: on the machines of the workers that ran its steps, ${runId}.jsonl under each one's $ASSETS_HOME/logs (run \`${logsCommand(runId)}\` there)`,
  );
  return exitCodeFor(summary, inputFailures);
}
