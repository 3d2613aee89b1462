/** `assets ui`: serve the local web UI for the project's definitions and instance. */
import { spawn } from "node:child_process";
import type { Command } from "commander";
import { globalsOf } from "../action.ts";
import { EXIT_OK } from "../errors.ts";
import { paintErr, paintOut } from "../output/colors.ts";
import { loadProjectDefinitions, openProjectInstance, projectFor } from "../session.ts";

export interface UiOptions {
  port: number;
  host: string;
  open?: boolean;
  token?: string;
}

export async function runUi(opts: UiOptions, cmd: Command): Promise<number> {
  const project = projectFor(globalsOf(cmd));
  const definitions = await loadProjectDefinitions(project);
  // Loaded on demand so that the other commands do not pay for the UI's modules at start-up.
  const { startUiServer } = await import("@daydream/ui");
  const instance = await openProjectInstance(project);
  try {
    const server = await startUiServer({
      definitions,
      definitionsFile: project.definitionsPath,
      instance,
      projectRoot: project.root,
      host: opts.host,
      port: opts.port,
      token: opts.token,
    });
    for (const warning of server.warnings)
      process.stderr.write(`${paintErr.yellow("warning:")} ${warning}\n`);
    const openUrl =
      server.token === undefined ? server.url : `${server.url}#token=${encodeURIComponent(server.token)}`;
    process.stdout.write(`assets ui: ${paintOut.bold(openUrl)}\n`);
    if (server.token !== undefined)
      process.stdout.write(`access token (needed to launch or cancel runs): ${server.token}\n`);
    process.stdout.write(
      paintOut.dim(`definitions ${project.definitionsPath}, instance ${instance.storageLocation}\n`),
    );
    process.stdout.write(paintOut.dim("press Ctrl-C to stop (runs launched from the UI are canceled)\n"));
    if (opts.open) openBrowser(openUrl);
    await untilSignal();
    process.stderr.write("stopping the UI server...\n");
    await server.close();
  } finally {
    instance.close();
  }
  return EXIT_OK;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** Best effort: a machine without a desktop still has the URL printed above. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", url]]
        : ["xdg-open", [url]];
  const child = spawn(command, args, { stdio: "ignore", detached: true });
  child.on("error", (err) => {
    process.stderr.write(
      `${paintErr.yellow("warning:")} could not open a browser (${err.message}); open ${url}\n`,
    );
  });
  child.unref();
}
