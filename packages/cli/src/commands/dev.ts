/** `assets dev postgres`: flags and help; the work is in run/dev-postgres.ts. */
import type { Command } from "commander";
import { examples, lazyAction } from "../action.ts";
import { parseNonNegativeInt } from "../options.ts";

export const DEV_POSTGRES_PORT = 54329;

export function registerDev(program: Command): void {
  const dev = program
    .command("dev")
    .description("local services for trying things out")
    .addHelpText(
      "after",
      examples([["npx assets dev postgres", "a local PostgreSQL to share one instance between processes"]]),
    );
  dev
    .command("postgres")
    .description(
      "start a local PostgreSQL (from npm, no install) to share one instance between processes; prints `export ASSETS_STORAGE=postgres://...`: run that line in your other shells and every assets command there uses it",
    )
    .option("--dir <path>", "where its data lives (default: $ASSETS_HOME/postgres, kept between starts)")
    .option("--port <port>", "port on 127.0.0.1 (0 picks a free one)", parseNonNegativeInt, DEV_POSTGRES_PORT)
    .addHelpText(
      "after",
      examples([
        [
          "npx assets dev postgres",
          "start it on port 54329, then export the ASSETS_STORAGE it prints; Ctrl-C stops it",
        ],
        ["npx assets dev postgres --port 0", "on a free port (the printed URL names it)"],
        [
          "npx assets dev postgres --dir /tmp/assets-pg",
          "keep its data elsewhere than $ASSETS_HOME/postgres",
        ],
      ]),
    )
    .action(lazyAction(async () => (await import("../run/dev-postgres.ts")).runDevPostgres));
}
