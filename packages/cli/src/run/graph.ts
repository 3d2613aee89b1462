/** `assets graph [--select SEL] --format mermaid|dot`: the asset graph as text. */
import { resolveSelection } from "@daydream/core";
import type { Command } from "commander";
import { globalsOf } from "../action.ts";
import { EXIT_OK } from "../errors.ts";
import type { GraphFormat } from "../options.ts";
import { renderDot, renderMermaid } from "../output/graph-text.ts";
import { loadProjectDefinitions, projectFor } from "../session.ts";

export async function runGraph(
  opts: { select?: string; format: GraphFormat },
  cmd: Command,
): Promise<number> {
  const project = projectFor(globalsOf(cmd));
  const defs = await loadProjectDefinitions(project);
  const assets = resolveSelection(defs, opts.select ?? "*").map((key) => defs.assets.get(key)!);
  process.stdout.write(opts.format === "dot" ? renderDot(assets) : renderMermaid(assets));
  return EXIT_OK;
}
