/** `assets runs cancel RUN_ID`: cancels a run enqueued with `materialize --executor queue`. */
import type { RunRecord } from "@daydream/core";
import type { Command } from "commander";
import { globalsOf } from "../action.ts";
import { EXIT_OK } from "../errors.ts";
import { paintOut } from "../output/colors.ts";
import { plural } from "../output/format.ts";
import { printJson } from "../output/json.ts";
import { projectFor, withInstance } from "../session.ts";
import { requireRun } from "./runs.ts";

export async function runRunsCancel(runId: string, _opts: unknown, cmd: Command): Promise<number> {
  // `--json` after `runs cancel ID` may be taken by the parent `runs` command: read both levels
  const json = cmd.optsWithGlobals().json === true;
  const project = projectFor(globalsOf(cmd));
  const { QueueError, cancelQueuedRun } = await import("@daydream/queue");
  const canceled = await withInstance(project, (instance) => {
    const run = requireRun(instance, runId);
    // Only PostgreSQL holds queued runs: a run in SQLite ran (or runs) in a process.
    if (project.storage.kind === "sqlite") throw notQueued(run);
    return cancelQueuedRun(instance, runId);
  });
  if (json) printJson(canceled);
  else {
    process.stdout.write(
      `Canceled run ${paintOut.bold(canceled.runId)}: ${plural(canceled.canceledSteps, "unfinished step")} canceled, ` +
        `${plural(canceled.removedJobs, "job")} removed from the queue; steps the workers are computing stop at their next heartbeat\n`,
    );
  }
  return EXIT_OK;

  function notQueued(run: RunRecord): Error {
    if (run.status !== "queued" && run.status !== "started") {
      return new QueueError("RUN_FINISHED", `run ${runId} already ended ${run.status}`, {
        context: { run: runId, status: run.status },
        hint: "only a queued or started run can be canceled",
      });
    }
    return new QueueError(
      "UNKNOWN_QUEUED_RUN",
      `no queued run ${runId} (it runs in a process, not on the queue)`,
      {
        context: { run: runId },
        hint: `stop it where it runs (Ctrl-C, or kill -INT ${run.pid} on ${run.host})`,
      },
    );
  }
}
