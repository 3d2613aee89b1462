/**
 * `assets worker`: loads the definitions once and computes the steps of queued runs until
 * stopped (or, with --once, until the queue is empty): a line per finished step on stderr, the
 * worker's summary on stdout.
 */
import os from "node:os";
import type { RunProgressEvent } from "@daydream/core";
import type { WorkerEvent, WorkerSummary } from "@daydream/queue";
import type { Command } from "commander";
import { globalsOf } from "../action.ts";
import { EXIT_OK, EXIT_STEP_FAILED } from "../errors.ts";
import { cancelOnSignals } from "../interrupt.ts";
import { paintErr, paintOut } from "../output/colors.ts";
import { firstLine, formatDuration, plural, stepLabel } from "../output/format.ts";
import { printJson } from "../output/json.ts";
import { loadProjectDefinitions, openWorkerInstance, projectFor, sharedDataRoot } from "../session.ts";

export interface WorkerCommandOptions {
  concurrency?: number;
  queue?: string;
  once?: boolean;
  graceSeconds: number;
  json?: boolean;
}

export async function runWorkerCommand(opts: WorkerCommandOptions, cmd: Command): Promise<number> {
  const project = projectFor(globalsOf(cmd));
  const defs = await loadProjectDefinitions(project);
  const { runWorker } = await import("@daydream/queue");
  const instance = await openWorkerInstance(project);
  const controller = new AbortController();
  const stopListening = cancelOnSignals(controller, {
    onFirstSignal(signal) {
      writeLine(
        paintErr.yellow(
          `${signal}: stopping: no new steps; those in flight get up to ${opts.graceSeconds} s to finish (again to exit at once)`,
        ),
      );
    },
    onForcedExit(signal) {
      writeLine(
        `${signal} again: exiting at once; the steps in flight go back to the queue when this worker's lease runs out`,
      );
    },
  });
  try {
    const summary = await runWorker({
      defs,
      instance,
      concurrency: opts.concurrency,
      queue: opts.queue,
      sharedRoot: sharedDataRoot(),
      once: opts.once === true,
      signal: controller.signal,
      graceMs: opts.graceSeconds * 1000,
      onEvent: eventPrinter(opts.once === true),
    });
    if (opts.json) printJson(summary);
    else process.stdout.write(summaryText(summary));
    if (summary.ended !== "lease-lost") return EXIT_OK;
    writeLine(
      `${paintErr.red("error:")} the worker lost its lease (it stalled longer than ASSETS_LEASE_SECONDS); the steps it held went back to the queue\n` +
        `  ${paintErr.cyan("hint:")} start it again; raise ASSETS_LEASE_SECONDS if the machine stalls (a suspended laptop, an overloaded host)`,
    );
    return EXIT_STEP_FAILED;
  } finally {
    stopListening();
    instance.close();
  }
}

function writeLine(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** One line per finished step, the run it belongs to dimmed after it. */
function eventPrinter(once: boolean): (event: WorkerEvent) => void {
  const p = paintErr;
  const notices = new Set<string>();
  /** Steps already reported as held elsewhere: they come back every few seconds until released. */
  const held = new Set<string>();
  const ofRun = (run: string) => (run === "" ? "" : `  ${p.dim(`run ${run}`)}`);
  const step = (event: RunProgressEvent): string | undefined => {
    switch (event.type) {
      case "step_success":
        return `${p.green("✓")} ${stepLabel(event.assetKey, event.partitionKey)} succeeded in ${formatDuration(event.durationMs)}`;
      case "step_failure":
        return `${p.red("✗")} ${stepLabel(event.assetKey, event.partitionKey)} failed in ${formatDuration(event.durationMs)}: ${firstLine(event.error.message)}`;
      case "step_skipped":
        return `${p.yellow("-")} ${stepLabel(event.assetKey, event.partitionKey)} skipped: ${event.reason}`;
      case "step_canceled":
        return `${p.yellow("-")} ${stepLabel(event.assetKey, event.partitionKey)} canceled after ${formatDuration(event.durationMs)}: ${event.reason}`;
      case "step_done_elsewhere":
        return `${p.dim("=")} ${stepLabel(event.assetKey, event.partitionKey)} ${event.reason}`;
      case "notice":
        if (notices.has(event.message)) return undefined;
        notices.add(event.message);
        return `${p.yellow("note:")} ${event.message}`;
      default:
        return undefined;
    }
  };
  return (event) => {
    switch (event.type) {
      case "started":
        writeLine(
          `Worker ${event.workerRun} on queue ${event.queue}: up to ${plural(event.concurrency, "step")} at once ` +
            `(pid ${process.pid} on ${os.hostname()}), ${once ? "until the queue is empty" : "until SIGTERM or Ctrl-C"}`,
        );
        return;
      case "step": {
        const line = step(event.event);
        if (line !== undefined) writeLine(`${line}${event.event.type === "notice" ? "" : ofRun(event.run)}`);
        return;
      }
      case "requeued": {
        const key = `${event.run}\u0000${event.step}`;
        if (event.reason === "held by another run") {
          if (held.has(key)) return;
          held.add(key);
        }
        writeLine(`${p.dim("↺")} ${event.step} handed back to the queue: ${event.reason}${ofRun(event.run)}`);
        return;
      }
      case "stopping":
        if (event.inFlight > 0) {
          writeLine(
            `stopping: ${plural(event.inFlight, "step")} in flight, up to ${formatDuration(event.graceMs)} to finish`,
          );
        }
        return;
    }
  };
}

const ENDED: Record<WorkerSummary["ended"], string> = {
  drained: "the queue is empty",
  stopped: "stopped",
  "lease-lost": "lost its lease",
};

function summaryText(s: WorkerSummary): string {
  const p = paintOut;
  const computed = s.succeeded + s.failed + s.skipped;
  const extras = [
    s.doneElsewhere > 0 ? `${plural(s.doneElsewhere, "step")} already done by other runs` : "",
    s.requeued > 0 ? `${plural(s.requeued, "step")} handed back to the queue` : "",
  ].filter(Boolean);
  return (
    `Worker ${p.bold(s.workerRun)} ended (${ENDED[s.ended]}): ${plural(computed, "step")} computed: ` +
    `${p.green(`${s.succeeded} succeeded`)}, ${s.failed > 0 ? p.red(`${s.failed} failed`) : "0 failed"}, ` +
    `${s.skipped} skipped${extras.length > 0 ? `; ${extras.join("; ")}` : ""}\n`
  );
}
