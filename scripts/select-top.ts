/**
 * npm run select-top -- --parsed-scores FILE --top-n N [--templates a,b] [--models m1,m2] [--cohort c1,c2] [--output FILE]
 *
 * Ranks essays by mean evaluation score (parsed_scores.csv, every cohort's evaluations unless
 * --cohort narrows them) and writes the best N essay gen_ids to
 * data/2_tasks/selected_essays.txt, which makes the next cohort_membership an evaluate-only cohort
 * of those essays. Exit 0 on success, 2 on bad usage or bad input, 1 on anything else.
 */
import path from "node:path";
import {
  describeCriteria,
  formatRankingTable,
  parseList,
  parseTopN,
  rankEssays,
  readScoreTable,
  selectTop,
  selectTopPaths,
  writeSelectedEssays,
} from "@daydream/assets";
import { AssetsError } from "@daydream/core";
import { Command, CommanderError } from "commander";

interface Flags {
  parsedScores?: string;
  topN: string;
  templates?: string;
  models?: string;
  cohort?: string;
  output?: string;
}

const EXAMPLES = `
Examples:
  npm run select-top -- --top-n 10
  npm run select-top -- --parsed-scores data/7_cross_experiment/parsed_scores.csv --top-n 25 --templates novelty,prior-art
  npm run select-top -- --top-n 5 --models sonnet-4,gpt-5 --output /tmp/selected_essays.txt
  npm run select-top -- --top-n 10 --cohort cohort-3f9a1c2b7d4e`;

function program(): Command {
  return new Command("select-top")
    .description(
      "Rank essays by mean evaluation score and write the top N essay gen_ids to selected_essays.txt " +
        "(rows with an error or empty score are ignored; ties go to the smaller essay gen_id).",
    )
    .option(
      "--parsed-scores <file>",
      "scores to rank (default: $DD_DATA_ROOT/7_cross_experiment/parsed_scores.csv)",
    )
    .requiredOption("--top-n <n>", "how many essays to select (a positive integer)")
    .option(
      "--templates <ids>",
      "comma-separated evaluation templates to average over (default: all in the file)",
    )
    .option("--models <ids>", "comma-separated evaluation models to average over (default: all in the file)")
    .option(
      "--cohort <ids>",
      "comma-separated cohorts whose evaluations count (the cohort_id column; default: every cohort in the file)",
    )
    .option("--output <file>", "list to write (default: $DD_DATA_ROOT/2_tasks/selected_essays.txt)")
    .addHelpText("after", EXAMPLES)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
}

/** The invocation, normalized, for the header of the list. */
function commandLine(
  file: string,
  n: number,
  filters: { templates?: string[]; models?: string[]; cohorts?: string[] },
): string {
  const parts = ["npm run select-top --", "--parsed-scores", file, "--top-n", String(n)];
  if (filters.templates) parts.push("--templates", filters.templates.join(","));
  if (filters.models) parts.push("--models", filters.models.join(","));
  if (filters.cohorts) parts.push("--cohort", filters.cohorts.join(","));
  return parts.join(" ");
}

/** A path for messages: relative when it lies under the current directory. */
function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function run(flags: Flags): void {
  const defaults = selectTopPaths();
  const n = parseTopN(flags.topN);
  const templates = flags.templates === undefined ? undefined : parseList("--templates", flags.templates);
  const models = flags.models === undefined ? undefined : parseList("--models", flags.models);
  const cohorts = flags.cohort === undefined ? undefined : parseList("--cohort", flags.cohort);
  const scoresFile =
    flags.parsedScores === undefined ? defaults.parsedScores : path.resolve(flags.parsedScores);
  const output = flags.output === undefined ? defaults.output : path.resolve(flags.output);

  const table = readScoreTable(scoresFile);
  const ranking = rankEssays(table, { templates, models, cohorts });
  for (const t of ranking.absentTemplates)
    console.error(`warning: no row of ${shown(scoresFile)} has template ${t}`);
  for (const m of ranking.absentModels)
    console.error(`warning: no row of ${shown(scoresFile)} has model ${m}`);
  for (const c of ranking.absentCohorts)
    console.error(`warning: no row of ${shown(scoresFile)} has cohort ${c}`);
  const top = selectTop(ranking, n);
  const criteria = describeCriteria(ranking);
  writeSelectedEssays(
    output,
    top.map((e) => e.essayGenId),
    `${commandLine(shown(scoresFile), n, { templates, models, cohorts })}  |  top ${top.length} of ${ranking.essays.length} essays by ${criteria}`,
  );

  console.log(`Ranked ${plural(ranking.essays.length, "essay")} from ${shown(scoresFile)} by ${criteria}.`);
  if (table.ignored > 0)
    console.log(`Ignored ${plural(table.ignored, "row")} with an error or an empty score.`);
  console.log(formatRankingTable(top));
  if (top.length < n) console.log(`Only ${top.length} essays have scores; all of them are selected.`);
  console.log(`Wrote ${plural(top.length, "essay gen_id")} to ${shown(output)}`);
}

function main(argv: string[]): number {
  try {
    const cmd = program();
    cmd.parse(argv, { from: "user" });
    run(cmd.opts<Flags>());
    return 0;
  } catch (err) {
    // Commander has already printed its message (or the help text, exit code 0).
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof AssetsError) {
      console.error(`error: ${err.describe()}`);
      return err.userError ? 2 : 1;
    }
    console.error(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
