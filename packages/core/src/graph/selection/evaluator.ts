import { SelectionError } from "../../errors.ts";
import type { AssetGraph } from "../asset-graph.ts";
import type { SelectionNode } from "./parser.ts";
import { closestNames, didYouMean } from "./suggest.ts";

type AttributeNode = Extract<SelectionNode, { type: "attribute" }>;

function wildcard(pattern: string): (text: string) => boolean {
  if (!pattern.includes("*")) return (text) => text === pattern;
  const body = pattern
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  const regex = new RegExp(`^${body}$`);
  return (text) => regex.test(text);
}

function caret(source: string, start: number, end: number): string {
  return `\n  ${source}\n  ${" ".repeat(start)}${"^".repeat(Math.max(1, end - start))}`;
}

/** Evaluates a parsed selection against a graph; names that match nothing are errors. */
export class SelectionEvaluator {
  constructor(
    private readonly graph: AssetGraph,
    private readonly source: string,
  ) {}

  evaluate(node: SelectionNode): Set<string> {
    switch (node.type) {
      case "all":
        return new Set(this.graph.keys);
      case "name":
        return this.exactKey(node.name, node.start, node.end);
      case "attribute":
        return this.attribute(node);
      case "traverse": {
        const base = this.evaluate(node.operand);
        const up = this.graph.upstreamLayers(base, node.upstream);
        return new Set([...up, ...this.graph.downstreamLayers(base, node.downstream)]);
      }
      case "not": {
        const excluded = this.evaluate(node.operand);
        return new Set(this.graph.keys.filter((k) => !excluded.has(k)));
      }
      case "and": {
        const [first, ...rest] = node.operands.map((n) => this.evaluate(n));
        return new Set([...first].filter((k) => rest.every((set) => set.has(k))));
      }
      case "or":
        return new Set(node.operands.flatMap((n) => [...this.evaluate(n)]));
    }
  }

  private attribute(node: AttributeNode): Set<string> {
    const matches = wildcard(node.value);
    const keys = this.graph.keys;
    switch (node.attribute) {
      case "key":
        if (!node.value.includes("*")) return this.exactKey(node.value, node.start, node.end);
        return new Set(keys.filter(matches));
      case "group": {
        const groups = [...this.graph.groups().keys()];
        if (!node.value.includes("*") && !groups.includes(node.value)) {
          throw this.unknown(
            "group",
            node.value,
            groups,
            node,
            'use a group from `assets list`, or a wildcard like group:"gen*"',
          );
        }
        return new Set(keys.filter((k) => matches(this.graph.get(k).group)));
      }
      case "kind":
        return new Set(keys.filter((k) => this.graph.get(k).kinds.some(matches)));
      case "tag": {
        const valueMatches = node.tagValue === undefined ? () => true : wildcard(node.tagValue);
        return new Set(
          keys.filter((k) =>
            Object.entries(this.graph.get(k).tags).some(
              ([name, value]) => matches(name) && valueMatches(value),
            ),
          ),
        );
      }
    }
  }

  private exactKey(key: string, start: number, end: number): Set<string> {
    if (!this.graph.has(key)) {
      throw this.unknown(
        "asset key",
        key,
        this.graph.keys,
        { start, end },
        'use a key from `assets list`, or a wildcard like key:"draft_*"',
      );
    }
    return new Set([key]);
  }

  private unknown(
    what: "asset key" | "group",
    name: string,
    candidates: readonly string[],
    at: { start: number; end: number },
    hint: string,
  ): SelectionError {
    const suggestions = closestNames(name, candidates);
    const suggestion = didYouMean(suggestions);
    const message = `unknown ${what} "${name}" in selection${suggestion ? `; ${suggestion}` : ""}`;
    return new SelectionError(
      what === "group" ? "SELECTION_UNKNOWN_GROUP" : "SELECTION_UNKNOWN_KEY",
      message + caret(this.source, at.start, at.end),
      {
        context: {
          selection: this.source,
          [what === "group" ? "group" : "key"]: name,
          suggestions: suggestions.join(", "),
        },
        hint,
      },
    );
  }
}
