/**
 * The `assets` program: global flags, one sub-command per file under
 * commands/ (flags and help; each implementation under run/ is imported only
 * when its command runs), and the mapping of every outcome to an exit code.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { cliState, examples } from "./action.ts";
import { registerCheck } from "./commands/check.ts";
import { registerCost } from "./commands/cost.ts";
import { registerDev } from "./commands/dev.ts";
import { registerGraph } from "./commands/graph.ts";
import { registerLineage } from "./commands/lineage.ts";
import { registerList } from "./commands/list.ts";
import { registerLogs } from "./commands/logs.ts";
import { registerMaterialize } from "./commands/materialize.ts";
import { registerPartitions } from "./commands/partitions.ts";
import { registerRuns } from "./commands/runs.ts";
import { registerShow } from "./commands/show.ts";
import { registerUi } from "./commands/ui.ts";
import { registerWipe } from "./commands/wipe.ts";
import { registerWorker } from "./commands/worker.ts";
import { EXIT_USAGE } from "./exit-codes.ts";
import { paintErr } from "./output/colors.ts";
import { errorJson, printJson } from "./output/json.ts";

export { definitionsPathFor } from "./project-config.ts";

function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command("assets");
  program
    .description("Materialize software-defined assets, inspect them, manage partitions and runs.")
    .option(
      "-f, --definitions <file>",
      "definitions module (.ts or .js) to load instead of the one in assets.yaml",
    )
    .option("--verbose", "print stack traces with errors")
    .version(cliVersion(), "--version", "print the version")
    .helpOption("-h, --help", "show help")
    .exitOverride()
    .showHelpAfterError(paintErr.dim("(add --help for usage and examples)"))
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(paintErr.red(s)),
    })
    .addHelpText(
      "after",
      examples([
        ["npx assets list", "list the assets of the project with their last materialization"],
        ["npx assets materialize --select group:task_definitions", "materialize a group of assets"],
        [
          "npx assets materialize --select evaluation_response --missing",
          "materialize only missing partitions",
        ],
        ["npx assets -f examples/hello/definitions.ts list", "use another definitions module"],
      ]) +
        "\nThe project config assets.yaml (found in the working directory or above) names the\n" +
        "definitions module, the instance home ($ASSETS_HOME wins) and env var defaults.\n",
    );

  registerMaterialize(program);
  registerList(program);
  registerShow(program);
  registerPartitions(program);
  registerRuns(program);
  registerWorker(program);
  registerCost(program);
  registerLogs(program);
  registerCheck(program);
  registerLineage(program);
  registerGraph(program);
  registerWipe(program);
  registerUi(program);
  registerDev(program);
  return program;
}

/** Runs the CLI on `argv` (as in process.argv) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return cliState.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and --version exit 0; every other commander error is bad usage
      if (err.exitCode === 0) return 0;
      // commander has already printed the message; --json still gets its one document
      if (asksForJson(argv)) printJson({ error: usageErrorDocument(err) });
      return EXIT_USAGE;
    }
    const verbose = program.opts().verbose === true || argv.includes("--verbose");
    // loaded here: errors.ts needs the engine, which --help and --version do without
    const { reportError } = await import("./errors.ts");
    const code = reportError(err, verbose);
    if (cliState.json) printJson({ error: errorJson(err) });
    return code;
  }
}

/** Whether `--json` is among the options, for errors raised before any command ran. */
function asksForJson(argv: string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
}

function usageErrorDocument(err: CommanderError): Record<string, unknown> {
  return {
    name: "UsageError",
    code: "USAGE",
    message: err.message.replace(/^error: /, ""),
    hint: "add --help for usage and examples",
    context: { reason: err.code },
  };
}
