/** `assets runs [--limit N] [--status S]` and `assets runs show RUN_ID`: run history. */
import os from "node:os";
import path from "node:path";
import { UsageTotals, usageOfStep } from "@daydream/assets/usage";
import type { EventRecord, Instance, RunRecord, RunStatus, StepFailure } from "@daydream/core";
import type { Command } from "commander";
import { globalsOf } from "../action.ts";
import { EXIT_OK, UsageError } from "../errors.ts";
import { type Painter, paintOut, statusColor } from "../output/colors.ts";
import { firstLine, formatDuration, formatTimestamp } from "../output/format.ts";
import { printJson } from "../output/json.ts";
import { logsCommand, renderFailures } from "../output/summary.ts";
import { renderTable } from "../output/table.ts";
import { renderUsage } from "../output/usage.ts";
import { projectFor, withInstance } from "../session.ts";

const EVENT_PAGE = 5000;

/** Enqueued with `materialize --executor queue`: workers on any machine ran its steps. */
function isQueued(run: RunRecord): boolean {
  return run.tags.executor === "queue";
}

export function runDurationMs(run: RunRecord): number | null {
  if (run.startedAt === null) return null;
  const end = run.endedAt === null ? Date.now() : Date.parse(run.endedAt);
  return end - Date.parse(run.startedAt);
}

export function requireRun(instance: Instance, runId: string): RunRecord {
  const run = instance.storage.getRun(runId);
  if (run === undefined) {
    throw new UsageError(`unknown run "${runId}"`, {
      context: { run: runId },
      hint: "list recent runs and their ids with `assets runs`",
    });
  }
  return run;
}

interface StepCounts {
  started: number;
  succeeded: number;
  failed: number;
  /** Skipped after they started: running when the run was canceled (or stopped by fail-fast). */
  canceled: number;
  skipped: number;
  failures: StepFailure[];
  /** LLM tokens and cost of the run's materializations, by stage and model. */
  usage: UsageTotals;
}

/**
 * Walks the run's event log page by page, keeping counts and failures only. A canceled step
 * is recorded as skipped after its start: the steps started and not yet ended tell them apart.
 */
function stepCounts(instance: Instance, runId: string): StepCounts {
  const counts: StepCounts = {
    started: 0,
    succeeded: 0,
    failed: 0,
    canceled: 0,
    skipped: 0,
    failures: [],
    usage: new UsageTotals(),
  };
  const running = new Set<string>();
  const stepOf = (e: EventRecord) => `${e.assetKey}\0${e.partitionKey ?? ""}`;
  let afterId: number | undefined;
  for (;;) {
    const page = instance.storage.getEvents(runId, {
      afterId,
      limit: EVENT_PAGE,
      types: ["step_start", "materialization", "step_failure", "step_skipped"],
    });
    for (const event of page) {
      if (event.type === "step_start") {
        counts.started++;
        running.add(stepOf(event));
        continue;
      }
      const wasRunning = running.delete(stepOf(event));
      if (event.type === "materialization") {
        counts.succeeded++;
        const usage = usageOfStep(event.assetKey ?? "", event.metadata);
        if (usage !== undefined) counts.usage.add(usage);
      } else if (event.type === "step_skipped") {
        if (wasRunning) counts.canceled++;
        else counts.skipped++;
      } else if (event.type === "step_failure") {
        counts.failed++;
        const hint = event.error?.hint;
        counts.failures.push({
          assetKey: event.assetKey ?? "",
          partitionKey: event.partitionKey ?? undefined,
          error: firstLine(event.error?.message ?? "(no message)"),
          ...(hint ? { hint } : {}),
        });
      }
    }
    if (page.length < EVENT_PAGE) return counts;
    afterId = page[page.length - 1].id;
  }
}

export async function runRuns(
  opts: { limit: number; status?: RunStatus; json?: boolean },
  cmd: Command,
): Promise<number> {
  const project = projectFor(globalsOf(cmd));
  const runs = await withInstance(project, (instance) =>
    instance.storage.listRuns({ limit: opts.limit, status: opts.status }),
  );
  if (opts.json) {
    printJson(runs.map((run) => ({ ...run, durationMs: runDurationMs(run) })));
    return EXIT_OK;
  }
  if (runs.length === 0) {
    process.stdout.write(opts.status ? `No ${opts.status} runs.\n` : "No runs yet.\n");
    return EXIT_OK;
  }
  const p = paintOut;
  const rows = runs.map((run) => [
    run.runId,
    statusColor(p, run.status),
    formatTimestamp(run.createdAt),
    formatDuration(runDurationMs(run)),
    String(run.stepCount),
    run.partitionsSummary || "-",
    run.selection,
  ]);
  process.stdout.write(
    renderTable(["RUN ID", "STATUS", "CREATED", "DURATION", "STEPS", "PARTITIONS", "SELECTION"], rows, p),
  );
  return EXIT_OK;
}

export async function runRunsShow(runId: string, _opts: unknown, cmd: Command): Promise<number> {
  // `--json` after `runs show ID` is taken by the parent `runs` command: read both levels
  const opts = { json: cmd.optsWithGlobals().json === true };
  const project = projectFor(globalsOf(cmd));
  const { run, counts, logPath } = await withInstance(project, (instance) => {
    const run = requireRun(instance, runId);
    return { run, counts: stepCounts(instance, runId), logPath: instance.logPathFor(runId) };
  });
  if (opts.json) {
    const { usage, ...steps } = counts;
    printJson({
      ...run,
      durationMs: runDurationMs(run),
      steps,
      llmUsage: usage.report(),
      logPath,
      // A queued run's steps log where its workers ran: no one host has its log.
      logHost: isQueued(run) ? null : run.host,
    });
    return EXIT_OK;
  }
  const p = paintOut;
  // steps started but not finished: still running in a live run, cut short in an ended one
  const unfinished = counts.started - counts.succeeded - counts.failed - counts.canceled;
  const live = run.status === "started" || run.status === "queued";
  const lines = [
    `Run ${p.bold(run.runId)} ${statusColor(p, run.status)}`,
    `  selection: ${run.selection}   partitions: ${run.partitionsSummary || "-"}`,
    `  created: ${formatTimestamp(run.createdAt)}   duration: ${formatDuration(runDurationMs(run))}   pid: ${run.pid}@${run.host}`,
    `  steps: ${run.stepCount} planned, ${p.green(`${counts.succeeded} succeeded`)}, ` +
      `${counts.failed > 0 ? p.red(`${counts.failed} failed`) : "0 failed"}, ` +
      (counts.canceled > 0 ? `${p.yellow(`${counts.canceled} canceled`)}, ` : "") +
      `${counts.skipped} skipped` +
      (unfinished > 0 ? `, ${unfinished} ${live ? "running" : "unfinished"}` : ""),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  process.stdout.write(renderFailures(counts.failures, counts.failed, p));
  const usage = renderUsage(counts.usage.report(), p);
  if (usage !== "") process.stdout.write(`LLM usage:\n${usage}`);
  process.stdout.write(`${logsLine(run, logPath, p)}\n`);
  return EXIT_OK;
}

/**
 * Where the run's log is. Logs are files under $ASSETS_HOME/logs of the machine that ran the
 * run, never in the shared storage: a run from another machine (a shared PostgreSQL instance)
 * has its log there, and `assets logs` works only on that machine. A queued run's log is split
 * between the machines of the workers that computed its steps.
 */
function logsLine(run: RunRecord, logPath: string, p: Painter): string {
  if (isQueued(run)) {
    return `Logs: on the machines of the workers that ran its steps, ${path.basename(logPath)} under each one's $ASSETS_HOME/logs (run \`${logsCommand(run.runId)}\` there)`;
  }
  if (run.host === os.hostname()) return `Logs: ${logsCommand(run.runId)}  ${p.dim(`(${logPath})`)}`;
  return `Logs: ${logPath} on host ${p.bold(run.host)}, the machine that ran it (run \`${logsCommand(run.runId)}\` there)`;
}
