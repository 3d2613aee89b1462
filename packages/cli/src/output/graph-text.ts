/**
 * The asset graph as Mermaid or Graphviz DOT text: one cluster per group, solid
 * edges for value inputs, dashed edges for ordering-only deps.
 */
import type { AssetDefinition } from "@daydream/core";
import { upstreamEdges } from "../asset-info.ts";

interface GraphModel {
  groups: Map<string, AssetDefinition[]>;
  edges: { from: string; to: string; kind: "input" | "dep" }[];
}

function model(assets: AssetDefinition[]): GraphModel {
  const selected = new Set(assets.map((a) => a.key));
  const groups = new Map<string, AssetDefinition[]>();
  const edges: GraphModel["edges"] = [];
  for (const def of assets) {
    const members = groups.get(def.group) ?? [];
    members.push(def);
    groups.set(def.group, members);
    for (const edge of upstreamEdges(def)) {
      if (selected.has(edge.asset)) edges.push({ from: edge.asset, to: def.key, kind: edge.kind });
    }
  }
  return { groups, edges };
}

/** Mermaid ids must be plain words (and not keywords such as `end`): prefix and replace the rest. */
function mermaidIds(assets: AssetDefinition[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const def of assets) {
    const base = `a_${def.key.replace(/[^A-Za-z0-9_]/g, "_")}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    ids.set(def.key, id);
  }
  return ids;
}

const mermaidText = (s: string) => s.replace(/"/g, "#quot;");

export function renderMermaid(assets: AssetDefinition[]): string {
  const { groups, edges } = model(assets);
  const ids = mermaidIds(assets);
  const lines = ["flowchart LR"];
  let g = 0;
  for (const [group, members] of groups) {
    lines.push(`  subgraph group_${g++}["${mermaidText(group)}"]`);
    for (const def of members) {
      const label = def.partitions ? `${def.key}<br/>partitions: ${def.partitions.name}` : def.key;
      lines.push(`    ${ids.get(def.key)}["${mermaidText(label)}"]`);
    }
    lines.push("  end");
  }
  for (const e of edges)
    lines.push(`  ${ids.get(e.from)} ${e.kind === "input" ? "-->" : "-.->"} ${ids.get(e.to)}`);
  return `${lines.join("\n")}\n`;
}

const dotQuote = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

export function renderDot(assets: AssetDefinition[]): string {
  const { groups, edges } = model(assets);
  const lines = [
    "digraph assets {",
    "  rankdir=LR;",
    '  node [shape=box, style=rounded, fontname="Helvetica"];',
  ];
  let g = 0;
  for (const [group, members] of groups) {
    lines.push(`  subgraph cluster_${g++} {`, `    label=${dotQuote(group)};`);
    for (const def of members) {
      const label = def.partitions ? `${def.key}\npartitions: ${def.partitions.name}` : def.key;
      lines.push(`    ${dotQuote(def.key)} [label=${dotQuote(label).replace(/\n/g, "\\n")}];`);
    }
    lines.push("  }");
  }
  for (const e of edges) {
    lines.push(`  ${dotQuote(e.from)} -> ${dotQuote(e.to)}${e.kind === "dep" ? " [style=dashed]" : ""};`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
