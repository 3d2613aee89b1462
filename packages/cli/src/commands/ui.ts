/** `assets ui [--port 3000] [--host 127.0.0.1] [--open] [--token T]`: flags and help; the work is in run/ui.ts. */
import type { Command } from "commander";
import { examples, lazyAction } from "../action.ts";
import { parseNonNegativeInt } from "../options.ts";

export function registerUi(program: Command): void {
  program
    .command("ui")
    .description(
      "serve a local web UI: asset graph, partitions, runs (launch, cancel, live logs) and cohort results",
    )
    .option("--port <port>", "port to listen on (0 picks a free one)", parseNonNegativeInt, 3000)
    .option(
      "--host <host>",
      "address to bind; anything but loopback requires the printed token for changes",
      "127.0.0.1",
    )
    .option("--token <token>", "access token for changes (default: generated when --host is not loopback)")
    .option("--open", "open the UI in the default browser")
    .addHelpText(
      "after",
      examples([
        ["npx assets ui", "serve the UI at http://127.0.0.1:3000/"],
        ["npx assets ui --port 8080 --open", "another port, and open the browser"],
        ["npx assets ui --host 0.0.0.0", "serve the local network (prints an access token)"],
      ]),
    )
    .action(lazyAction(async () => (await import("../run/ui.ts")).runUi));
}
