/** `assets graph [--select SEL] --format mermaid|dot`: flags and help; the work is in run/graph.ts. */
import { type Command, Option } from "commander";
import { examples, lazyAction } from "../action.ts";
import { GRAPH_FORMATS, type GraphFormat } from "../options.ts";

export function registerGraph(program: Command): void {
  program
    .command("graph")
    .description(
      "print the asset graph as Mermaid or Graphviz DOT (solid: value input, dashed: ordering dep)",
    )
    .option("--select <selection>", "only the selected assets (and the edges between them)")
    .addOption(
      new Option("--format <format>", "output format")
        .choices(GRAPH_FORMATS as GraphFormat[])
        .default("mermaid"),
    )
    .addHelpText(
      "after",
      examples([
        ["npx assets graph > graph.mmd", "Mermaid, paste into Markdown"],
        ["npx assets graph --format dot | dot -Tsvg > graph.svg", "render with Graphviz"],
        ["npx assets graph --select +evaluation_response", "one asset and its parents"],
      ]),
    )
    .action(lazyAction(async () => (await import("../run/graph.ts")).runGraph));
}
