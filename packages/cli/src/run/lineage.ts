/** `assets lineage KEY`: a partition's ancestors and descendants through partition mappings. */
import { type LineageAsset, type LineageNode, partitionLineage, validatePartitionKey } from "@daydream/core";
import type { Command } from "commander";
import { globalsOf } from "../action.ts";
import { EXIT_OK } from "../errors.ts";
import { type Painter, paintOut, statusColor } from "../output/colors.ts";
import { formatTimestamp } from "../output/format.ts";
import { printJson } from "../output/json.ts";
import { loadProjectDefinitions, projectFor, withInstance } from "../session.ts";

/** Depth of each node: ancestors from 0, descendants one below the parent listed before them. */
function depths(nodes: LineageNode[]): number[] {
  const at = new Map<string, number>();
  return nodes.map((node) => {
    const parentDepths = node.parents
      .map((p) => at.get(`${p.partitions}\0${p.partitionKey}`))
      .filter((d): d is number => d !== undefined);
    const depth = parentDepths.length > 0 ? Math.max(...parentDepths) + 1 : 0;
    at.set(`${node.partitions}\0${node.partitionKey}`, depth);
    return depth;
  });
}

function describe(description: LineageNode["description"]): string {
  if (description === null) return "";
  return Object.entries(description)
    .filter(([key]) => key !== "dir" && key !== "files")
    .map(([key, value]) => `${key} ${String(value)}`)
    .join("  ");
}

function checksText(asset: LineageAsset, p: Painter): string {
  if (asset.checks.length === 0) return "";
  const failed = asset.checks.filter((c) => !c.passed);
  if (failed.length === 0) return p.dim(`  checks: ${asset.checks.length} passed`);
  return `  checks: ${failed
    .map((c) => (c.severity === "warn" ? p.yellow(`${c.checkName} warn`) : p.red(`${c.checkName} failed`)))
    .join(", ")}`;
}

function renderNode(node: LineageNode, depth: number, p: Painter): string {
  const pad = "  ".repeat(depth);
  const arrow = depth > 0 ? "-> " : "";
  const self = node.role === "self" ? p.bold(node.partitionKey) : node.partitionKey;
  const lines = [`${pad}${arrow}${node.partitions} ${self}  ${describe(node.description)}`.trimEnd()];
  const inner = `${pad}${depth > 0 ? "   " : ""}  `;
  const d = node.description;
  if (d && typeof d.dir === "string") {
    const files = Array.isArray(d.files) && d.files.length > 0 ? d.files.join(", ") : p.dim("no files");
    lines.push(`${inner}${d.dir}: ${files}`);
  }
  const width = Math.max(...node.assets.map((a) => a.assetKey.length));
  for (const a of node.assets) {
    const when = a.timestamp ? `  ${formatTimestamp(a.timestamp)}` : "";
    lines.push(`${inner}${a.assetKey.padEnd(width)}  ${statusColor(p, a.status)}${when}${checksText(a, p)}`);
  }
  return lines.join("\n");
}

export async function runLineage(key: string, opts: { json?: boolean }, cmd: Command): Promise<number> {
  validatePartitionKey(key);
  const project = projectFor(globalsOf(cmd));
  const defs = await loadProjectDefinitions(project);
  const lineage = await withInstance(project, (instance) => partitionLineage(defs, instance.storage, key));
  if (opts.json) {
    printJson(lineage);
    return EXIT_OK;
  }
  const at = depths(lineage.nodes);
  process.stdout.write(`${lineage.nodes.map((n, i) => renderNode(n, at[i], paintOut)).join("\n")}\n`);
  return EXIT_OK;
}
