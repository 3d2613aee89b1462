/**
 * Glue between commander and the command implementations: an action returns
 * its exit code, and the state records whether the user asked for --json (an
 * error then also goes to stdout as a JSON document).
 */
import type { Command } from "commander";
import type { GlobalOptions } from "./session.ts";

export const cliState = { exitCode: 0, json: false };

export function action<A extends unknown[]>(
  fn: (...args: [...A, Command]) => Promise<number>,
): (...args: [...A, Command]) => Promise<void> {
  return async (...args) => {
    const cmd = args[args.length - 1] as Command;
    // optsWithGlobals: `runs show ID --json` is parsed as an option of the parent `runs`
    cliState.json = cmd.optsWithGlobals().json === true;
    cliState.exitCode = await fn(...args);
  };
}

export function globalsOf(cmd: Command): GlobalOptions {
  const all = cmd.optsWithGlobals();
  return { definitions: all.definitions, verbose: all.verbose === true };
}

/** Help text listing example invocations, shown after a command's options. */
export function examples(lines: [command: string, what: string][]): string {
  return `\nExamples:\n${lines.map(([c, what]) => `  # ${what}\n  $ ${c}`).join("\n\n")}\n`;
}

type Handler<A extends unknown[]> = (...args: [...A, Command]) => Promise<number>;

/**
 * An action whose implementation module is imported only when the command
 * runs, so that parsing argv (and --help) does not load every command.
 */
export function lazyAction<A extends unknown[]>(
  load: () => Promise<Handler<A>>,
): (...args: [...A, Command]) => Promise<void> {
  return action<A>(async (...args) => (await load())(...args));
}
