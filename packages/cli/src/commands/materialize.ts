/** `assets materialize --select SEL [partition flags]`: flags and help; the work is in run/materialize.ts. */
import { type Command, Option } from "commander";
import { examples, lazyAction } from "../action.ts";
import { parsePositiveInt, parseUsd } from "../options.ts";
import { EXECUTORS } from "../project-config.ts";
import { SELECTION_SYNTAX } from "./selection-help.ts";

export function registerMaterialize(program: Command): void {
  program
    .command("materialize")
    .description("materialize the selected assets (x partitions) and record the run")
    .requiredOption(
      "--select <selection>",
      'assets to materialize (syntax below), e.g. "a,b", "group:g", "+key", "key*"',
    )
    .option("--partition <key>", "one partition key")
    .option("--partitions <keys>", "comma-separated partition keys")
    .option("--partitions-file <file>", 'file with one partition key per line ("-" reads stdin)')
    .option("--all-partitions", "every registered partition key")
    .option(
      "--missing",
      "only partitions not materialized: never, failed, or their output was deleted (the store is the truth)",
    )
    .option(
      "--stale",
      "only partitions materialized before their code version or an input changed (with --missing: both)",
    )
    .option(
      "--concurrency <n>",
      "steps run at once (default 8; in-process only: queued runs take each worker's --concurrency)",
      parsePositiveInt,
    )
    .option("--config <file>", "run config YAML: assets: { <asset_key>: { ...config } }")
    .option("--fail-fast", "cancel the rest of the run at the first failed step (in-process only)")
    .option(
      "--no-checks",
      "skip the asset checks that run after each materialization (and their hold on the downstream of failing partitions)",
    )
    .option(
      "--budget-usd <usd>",
      "stop starting LLM calls before the run's cost could pass this many US dollars (DD_LLM_BUDGET_USD; in-process only: a worker's DD_LLM_BUDGET_USD caps that worker)",
      parseUsd,
    )
    .option(
      "--wait-for-held",
      "wait for steps another live run is materializing instead of leaving them to it (in-process only: queued steps always wait)",
    )
    .addOption(
      new Option(
        "--executor <executor>",
        "in-process: run the steps here; queue: enqueue them for `assets worker` processes on any machine sharing the instance's PostgreSQL (default: `executor:` in assets.yaml, else in-process)",
      ).choices(EXECUTORS),
    )
    .option("--detach", "with --executor queue: enqueue the run, print its id and return at once")
    .option(
      "--queue <name>",
      "with --executor queue: only workers started with --queue NAME take its steps (default: default)",
    )
    .option("--json", "print the run summary as one JSON document")
    .addHelpText(
      "after",
      SELECTION_SYNTAX +
        examples([
          ["npx assets materialize --select cohort_membership", "one unpartitioned asset"],
          ["npx assets materialize --select group:task_definitions", "every asset of a group"],
          ["npx assets materialize --select evaluation_response --partition <gen_id>", "one partition"],
          [
            "npx assets materialize --select draft_response --partitions-file ids.txt",
            "partitions listed in a file",
          ],
          [
            "npx assets materialize --select 'draft_response*' --missing --concurrency 4",
            "an asset and everything downstream of it, only partitions not yet materialized",
          ],
          [
            "npx assets materialize --select 'essay_prompt*' --missing --stale",
            "essays and everything after them whose template or parent changed, or that are missing",
          ],
          [
            "npx assets materialize --select group:evaluation --missing --budget-usd 5",
            "evaluations until $5 are spent; run it again later with --missing to do the rest",
          ],
          [
            "npx assets materialize --select cohort_id --config run.yaml",
            "with run config; run.yaml: `assets: {cohort_id: {override: my-cohort}}`",
          ],
          [
            "npx assets materialize --select draft_prompt,draft_response --missing --executor queue --detach",
            "enqueue the drafts for `assets worker` processes (ASSETS_STORAGE on PostgreSQL) and return",
          ],
          [
            "npx assets materialize --select group:evaluation --missing --executor queue --queue gpu",
            "enqueue for the workers started with --queue gpu, and follow the run until it ends",
          ],
          [
            "npx assets materialize --select 'key:\"draft_*\"' --missing",
            "every asset whose key starts with draft_: the draft task table, prompts and responses",
          ],
          [
            "npx assets materialize --select 'kind:llm and (group:generation_draft or group:generation_essays)' --missing",
            "the LLM calls of the draft and essay stages, not their prompts",
          ],
          [
            "npx assets materialize --select 'group:evaluation and not kind:llm' --missing",
            "the evaluation prompts only, without calling the LLM",
          ],
          [
            "npx assets materialize --select '+draft_prompt' --missing",
            "draft prompts with what they read (the draft task table, the combinations)",
          ],
        ]) +
        "\nExit codes: 0 all steps succeeded, 1 a step failed (an LLM call, a write, a bug...) or a blocking\n" +
        "error check failed (its partition's downstream was held back), 2 bad usage or input\n" +
        "(also a run whose failed steps all failed on bad input), 130 canceled.\n" +
        "With --executor queue, --detach exits 0 once the run is enqueued; otherwise the command follows the run\n" +
        "and exits as above; Ctrl-C stops following (130) and the run goes on in the workers\n" +
        "(`assets runs cancel RUN_ID` cancels it).\n",
    )
    .action(lazyAction(async () => (await import("../run/materialize.ts")).runMaterialize));
}
