/** `assets dev postgres`: a local PostgreSQL server in the foreground until Ctrl-C. */
import path from "node:path";
import type { Command } from "commander";
import { globalsOf } from "../action.ts";
import { EXIT_OK } from "../errors.ts";
import { paintOut } from "../output/colors.ts";
import { projectFor } from "../session.ts";

export interface DevPostgresOptions {
  dir?: string;
  port: number;
}

const DATABASE = "assets";

export async function runDevPostgres(opts: DevPostgresOptions, cmd: Command): Promise<number> {
  const project = projectFor(globalsOf(cmd));
  const dataDir = path.resolve(opts.dir ?? path.join(project.home, "postgres"));
  const { startLocalServer } = await import("@daydream/postgres");
  process.stderr.write(`starting PostgreSQL (data in ${dataDir}) ...\n`);
  const server = await startLocalServer({
    dataDir,
    port: opts.port === 0 ? undefined : opts.port,
    trustLocal: true,
  });
  const url = await server.createDatabase(DATABASE);
  const p = paintOut;
  process.stdout.write(
    [
      `PostgreSQL is running on 127.0.0.1:${server.port} (local connections only, no password).`,
      "In other shells, point the assets commands at it:",
      "",
      `  ${p.bold(`export ASSETS_STORAGE=${url}`)}`,
      "",
      "Press Ctrl-C to stop it (the data stays for the next start).",
      "",
    ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  process.stderr.write("stopping PostgreSQL ...\n");
  await server.stop();
  return EXIT_OK;
}
