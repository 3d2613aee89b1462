import type { Definitions } from "../../definitions/types.ts";
import { AssetGraph } from "../asset-graph.ts";
import { SelectionEvaluator } from "./evaluator.ts";
import { parseSelection } from "./parser.ts";

/**
 * Resolves a selection string to asset keys in topological order. Unknown keys or groups and
 * syntax errors throw SelectionError; a wildcard, tag or kind query that matches nothing gives [].
 */
export function resolveSelection(defs: Definitions, selection: string): string[] {
  const ast = parseSelection(selection);
  const graph = AssetGraph.of(defs);
  return graph.sortTopologically(new SelectionEvaluator(graph, selection).evaluate(ast));
}
