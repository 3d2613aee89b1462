/** `assets graph [--select SEL] --format mermaid|dot`: the asset graph as text. */
import { resolveSelection } from "@daydream/core";
import { type Command, Option } from "commander";
import { action, examples, globalsOf } from "../action.ts";
import { EXIT_OK } from "../errors.ts";
import { GRAPH_FORMATS, type GraphFormat, renderDot, renderMermaid } from "../output/graph-text.ts";
import { loadProjectDefinitions, projectFor } from "../session.ts";

async function runGraph(opts: { select?: string; format: GraphFormat }, cmd: Command): Promise<number> {
  const project = projectFor(globalsOf(cmd));
  const defs = await loadProjectDefinitions(project);
  const assets = resolveSelection(defs, opts.select ?? "*").map((key) => defs.assets.get(key)!);
  process.stdout.write(opts.format === "dot" ? renderDot(assets) : renderMermaid(assets));
  return EXIT_OK;
}

export function registerGraph(program: Command): void {
  program
    .command("graph")
    .description("print the asset graph as Mermaid or Graphviz DOT (solid: value input, dashed: ordering dep)")
    .option("--select <selection>", "only the selected assets (and the edges between them)")
    .addOption(
      new Option("--format <format>", "output format").choices(GRAPH_FORMATS as GraphFormat[]).default("mermaid"),
    )
    .addHelpText(
      "after",
      examples([
        ["npx assets graph > graph.mmd", "Mermaid, paste into Markdown"],
        ["npx assets graph --format dot | dot -Tsvg > graph.svg", "render with Graphviz"],
        ["npx assets graph --select +evaluation_response", "one asset and its parents"],
      ]),
    )
    .action(action(runGraph));
}
