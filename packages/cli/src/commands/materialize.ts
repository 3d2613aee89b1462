/** `assets materialize --select SEL [partition flags]`: run the selected assets x partitions. */
import { materialize, type PartitionsSelector, type RunSummary } from "@daydream/core";
import type { Command } from "commander";
import { action, examples, globalsOf } from "../action.ts";
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_STEP_FAILED, UsageError } from "../errors.ts";
import { cancelOnSignals } from "../interrupt.ts";
import { paintErr, paintOut } from "../output/colors.ts";
import { printJson } from "../output/json.ts";
import { createProgressReporter, type ProgressMode } from "../output/progress.ts";
import { renderRunSummary } from "../output/summary.ts";
import { parseKeyList, parsePositiveInt, readKeysFile } from "../options.ts";
import { readRunConfig, withRunConfigFile } from "../run-config.ts";
import { loadProjectDefinitions, projectFor, withInstance } from "../session.ts";

interface MaterializeOptions {
  select: string;
  partition?: string;
  partitions?: string;
  partitionsFile?: string;
  allPartitions?: boolean;
  missing?: boolean;
  concurrency?: number;
  config?: string;
  failFast?: boolean;
  json?: boolean;
}

const PARTITION_FLAGS = [
  ["partition", "--partition"],
  ["partitions", "--partitions"],
  ["partitionsFile", "--partitions-file"],
  ["allPartitions", "--all-partitions"],
  ["missing", "--missing"],
] as const;

/** At most one partition flag; none leaves the choice to the engine (fine for unpartitioned assets). */
export function partitionsSelector(opts: MaterializeOptions): PartitionsSelector | undefined {
  const given = PARTITION_FLAGS.filter(([name]) => opts[name] !== undefined && opts[name] !== false);
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
  return undefined;
}

function progressMode(json: boolean): ProgressMode {
  if (process.stderr.isTTY) return "bar";
  return json ? "none" : "lines";
}

export function exitCodeFor(summary: RunSummary): number {
  if (summary.status === "succeeded") return EXIT_OK;
  if (summary.status === "canceled") return EXIT_INTERRUPTED;
  return EXIT_STEP_FAILED;
}

async function runMaterialize(opts: MaterializeOptions, cmd: Command): Promise<number> {
  const partitions = partitionsSelector(opts);
  const project = projectFor(globalsOf(cmd));
  const defs = await loadProjectDefinitions(project);
  const runConfig = opts.config === undefined ? undefined : readRunConfig(opts.config);

  const summary = await withInstance(project, async (instance) => {
    const controller = new AbortController();
    const reporter = await createProgressReporter(progressMode(opts.json === true), paintErr);
    const stopListening = cancelOnSignals(controller, (signal) => {
      reporter.note(
        `${paintErr.yellow(`${signal}: canceling the run`)} (running steps are asked to stop; press Ctrl-C again to exit at once)`,
      );
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
        onProgress: (event) => reporter.onEvent(event),
      });
    } catch (err) {
      throw withRunConfigFile(err, runConfig?.file);
    } finally {
      reporter.stop();
      stopListening();
    }
  });

  if (opts.json) printJson(summary);
  else if (summary.totalSteps === 0) {
    process.stdout.write(`Nothing to materialize: the selection planned no steps (run ${summary.runId}).\n`);
  } else process.stdout.write(renderRunSummary(summary, paintOut));
  return exitCodeFor(summary);
}

export function registerMaterialize(program: Command): void {
  program
    .command("materialize")
    .description("materialize the selected assets (x partitions) and record the run")
    .requiredOption("--select <selection>", 'assets to materialize, e.g. "a,b", "group:g", "+key", "key*"')
    .option("--partition <key>", "one partition key")
    .option("--partitions <keys>", "comma-separated partition keys")
    .option("--partitions-file <file>", 'file with one partition key per line ("-" reads stdin)')
    .option("--all-partitions", "every registered partition key")
    .option("--missing", "only partitions without a successful materialization")
    .option("--concurrency <n>", "steps run at once (default 8)", parsePositiveInt)
    .option("--config <file>", "run config YAML: assets: { <asset_key>: { ...config } }")
    .option("--fail-fast", "cancel the rest of the run at the first failed step")
    .option("--json", "print the run summary as one JSON document")
    .addHelpText(
      "after",
      examples([
        ["npx assets materialize --select cohort_membership", "one unpartitioned asset"],
        ["npx assets materialize --select group:task_definitions", "every asset of a group"],
        ["npx assets materialize --select evaluation_response --partition <gen_id>", "one partition"],
        ["npx assets materialize --select draft_response --partitions-file ids.txt", "partitions listed in a file"],
        ["npx assets materialize --select 'draft_response*' --missing --concurrency 4", "an asset and downstream"],
        ["npx assets materialize --select cohort_id --config run.yaml", "with run config for some assets"],
      ]) + "\nExit codes: 0 all steps succeeded, 1 some step failed, 2 bad usage or input, 130 canceled.\n",
    )
    .action(action(runMaterialize));
}
