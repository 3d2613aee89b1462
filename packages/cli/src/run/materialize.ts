/** `assets materialize --select SEL [partition flags]`: run the selected assets x partitions. */
import type { UsageReport } from "@daydream/assets/usage";
import {
  AssetsError,
  isUserError,
  materialize,
  type PartitionsSelector,
  type RunSummary,
} from "@daydream/core";
import type { Command } from "commander";
import { globalsOf } from "../action.ts";
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_STEP_FAILED, EXIT_USAGE, UsageError } from "../errors.ts";
import { cancelOnSignals } from "../interrupt.ts";
import { parseKeyList, readKeysFile } from "../keys-input.ts";
import { paintErr, paintOut } from "../output/colors.ts";
import { errorJson, printJson } from "../output/json.ts";
import { createProgressReporter, type ProgressMode } from "../output/progress.ts";
import { renderRunSummary } from "../output/summary.ts";
import { renderUsage } from "../output/usage.ts";
import type { ExecutorName } from "../project-config.ts";
import { readRunConfig, withRunConfigFile } from "../run-config.ts";
import { loadProjectDefinitions, projectFor, withInstance } from "../session.ts";

export interface MaterializeOptions {
  select: string;
  partition?: string;
  partitions?: string;
  partitionsFile?: string;
  allPartitions?: boolean;
  missing?: boolean;
  stale?: boolean;
  concurrency?: number;
  config?: string;
  failFast?: boolean;
  /** false with --no-checks. */
  checks?: boolean;
  /** Sets DD_LLM_BUDGET_USD for this run (the flag wins over the environment). */
  budgetUsd?: number;
  waitForHeld?: boolean;
  json?: boolean;
  /** Default: `executor:` in assets.yaml, else in-process. */
  executor?: ExecutorName;
  /** Queue only: enqueue and return. */
  detach?: boolean;
  /** Queue only: the workers' `--queue`. */
  queue?: string;
}

const PARTITION_FLAGS = [
  ["partition", "--partition"],
  ["partitions", "--partitions"],
  ["partitionsFile", "--partitions-file"],
  ["allPartitions", "--all-partitions"],
  ["missing", "--missing"],
  ["stale", "--stale"],
] as const;

/** At most one partition flag; none leaves the choice to the engine (fine for unpartitioned assets). */
export function partitionsSelector(opts: MaterializeOptions): PartitionsSelector | undefined {
  const given = PARTITION_FLAGS.filter(([name]) => opts[name] !== undefined && opts[name] !== false);
  // --missing --stale is the one combination: partitions that are missing or stale.
  if (given.length === 2 && opts.missing && opts.stale) return "missing-or-stale";
  if (given.length > 1) {
    throw new UsageError(`${given.map(([, flag]) => flag).join(" and ")} cannot be combined`, {
      hint: "choose one way to say which partitions to materialize",
    });
  }
  if (opts.partition !== undefined) return { keys: [opts.partition] };
  if (opts.partitions !== undefined) return { keys: parseKeyList(opts.partitions, "--partitions") };
  if (opts.partitionsFile !== undefined) {
    const keys = readKeysFile(opts.partitionsFile, "--partitions-file");
    if (keys.length === 0) {
      throw new UsageError("--partitions-file holds no partition keys", {
        context: { file: opts.partitionsFile },
        hint: "write one partition key per line",
      });
    }
    return { keys };
  }
  if (opts.allPartitions) return "all";
  if (opts.missing) return "missing";
  if (opts.stale) return "stale";
  return undefined;
}

export function progressMode(json: boolean): ProgressMode {
  if (process.stderr.isTTY) return "bar";
  return json ? "none" : "lines";
}

/**
 * A failed run exits 2 (bad input) when every failed step failed on a user error (an
 * AssetsError with `userError`: a malformed raw file, an invalid id...), since only fixing
 * the input helps; any other failure (an LLM outage, a bug) exits 1. A blocking error check
 * that failed exits 1 even when nothing downstream was in the run (which then succeeded): a
 * script must not go on as if that partition were good.
 */
export function exitCodeFor(summary: RunSummary, inputFailures: number): number {
  if (summary.status === "succeeded") {
    const held = summary.checks.failures.some((f) => f.blocking && f.severity === "error");
    return held ? EXIT_STEP_FAILED : EXIT_OK;
  }
  if (summary.status === "canceled") return EXIT_INTERRUPTED;
  if (summary.failed > 0 && inputFailures === summary.failed) return EXIT_USAGE;
  return EXIT_STEP_FAILED;
}

/** A second Ctrl-C: the process exits with steps still running and the run left unfinished. */
function forcedExitError(signal: string, runId: string | undefined): AssetsError {
  const run = runId === undefined ? "the run" : `run ${runId}`;
  return new AssetsError("INTERRUPTED", `${signal} again: exiting at once; ${run} is left unfinished`, {
    context: { run: runId },
    hint: "`assets runs` shows it as interrupted; materialize again with --missing to do what is left",
    userError: false,
  });
}

export async function runMaterialize(opts: MaterializeOptions, cmd: Command): Promise<number> {
  const partitions = partitionsSelector(opts);
  const project = projectFor(globalsOf(cmd));
  if ((opts.executor ?? project.config?.executor) === "queue") {
    return (await import("./materialize-queue.ts")).runQueued(opts, project, partitions);
  }
  for (const [flag, given] of [
    ["--detach", opts.detach],
    ["--queue", opts.queue],
  ] as const) {
    if (given !== undefined) {
      throw new UsageError(`${flag} needs --executor queue`, {
        hint: "add --executor queue (or `executor: queue` in assets.yaml) to run the steps on `assets worker` processes",
      });
    }
  }
  // Read by the LLM resource when the run starts, like every DD_LLM_* setting.
  if (opts.budgetUsd !== undefined) process.env.DD_LLM_BUDGET_USD = String(opts.budgetUsd);
  const defs = await loadProjectDefinitions(project);
  const runConfig = opts.config === undefined ? undefined : readRunConfig(opts.config);
  const { UsageTotals, usageOfStep } = await import("@daydream/assets/usage");
  const usage = new UsageTotals();

  let inputFailures = 0;
  const summary = await withInstance(project, async (instance) => {
    const controller = new AbortController();
    const reporter = await createProgressReporter(progressMode(opts.json === true), paintErr);
    let runId: string | undefined;
    const stopListening = cancelOnSignals(controller, {
      onFirstSignal(signal) {
        reporter.canceling(
          `${paintErr.yellow(`${signal}: canceling the run`)} (running steps are asked to stop; press Ctrl-C again to exit at once)`,
        );
      },
      onForcedExit(signal) {
        const err = forcedExitError(signal, runId);
        process.stderr.write(`${paintErr.red("error:")} ${err.describe()}\n`);
        if (opts.json) printJson({ error: errorJson(err) });
      },
    });
    try {
      return await materialize(defs, {
        selection: opts.select,
        partitions,
        concurrency: opts.concurrency,
        signal: controller.signal,
        instance,
        runConfig: runConfig?.config,
        failFast: opts.failFast === true,
        checks: opts.checks !== false,
        waitForHeld: opts.waitForHeld === true,
        onProgress: (event) => {
          if (event.type === "planned") runId = event.runId;
          else if (event.type === "step_failure" && isUserError(event.error)) inputFailures++;
          else if (event.type === "step_success") {
            const entry = usageOfStep(event.assetKey, event.metadata);
            if (entry !== undefined) usage.add(entry);
          } else if (event.type === "notice") reporter.note(`${paintErr.yellow("note:")} ${event.message}`);
          reporter.onEvent(event);
        },
      });
    } catch (err) {
      throw withRunConfigFile(err, runConfig?.file);
    } finally {
      reporter.stop();
      stopListening();
    }
  });

  printSummary(summary, usage.report(), opts.json === true);
  return exitCodeFor(summary, inputFailures);
}

/** The run's summary and LLM usage on stdout, as text (`logs`: see renderRunSummary) or one JSON document. */
export function printSummary(summary: RunSummary, llmUsage: UsageReport, json: boolean, logs?: string): void {
  if (json) printJson({ ...summary, llmUsage });
  else if (summary.totalSteps === 0) {
    process.stdout.write(`Nothing to materialize: the selection planned no steps (run ${summary.runId}).\n`);
  } else {
    process.stdout.write(renderRunSummary(summary, paintOut, logs));
    const table = renderUsage(llmUsage, paintOut);
    if (table !== "") process.stdout.write(`LLM usage:\n${table}`);
  }
}
