/** `assets dev postgres`: flags and help; the work is in run/dev-postgres.ts. */
import type { Command } from "commander";
import { examples, lazyAction } from "../action.ts";
import { parseNonNegativeInt } from "../options.ts";

export const DEV_POSTGRES_PORT = 54329;

export function registerDev(program: Command): void {
  const dev = program.command("dev").description("local services for trying things out");
  dev
    .command("postgres")
    .description(
      "start a local PostgreSQL (from npm, no install) to share one instance between processes; prints the ASSETS_STORAGE to export",
    )
    .option("--dir <path>", "where its data lives (default: $ASSETS_HOME/postgres, kept between starts)")
    .option("--port <port>", "port on 127.0.0.1 (0 picks a free one)", parseNonNegativeInt, DEV_POSTGRES_PORT)
    .addHelpText(
      "after",
      examples([
        ["npx assets dev postgres", "start it; stop it with Ctrl-C"],
        [
          "export ASSETS_STORAGE=postgres://postgres@127.0.0.1:54329/assets",
          "then, in other shells, every command uses it",
        ],
      ]),
    )
    .action(lazyAction(async () => (await import("../run/dev-postgres.ts")).runDevPostgres));
}
