/** `assets list [--select SEL] [--json]`: the assets with their last materialization. */
import { resolveSelection } from "@daydream/core";
import type { Command } from "commander";
import { globalsOf } from "../action.ts";
import {
  assetState,
  lastMaterializationJson,
  type PartitionCounts,
  upstreamEdges,
  withInspector,
} from "../asset-info.ts";
import { EXIT_OK } from "../errors.ts";
import { type Painter, paintOut, statusColor } from "../output/colors.ts";
import { formatTimestamp } from "../output/format.ts";
import { printJson } from "../output/json.ts";
import { renderTable } from "../output/table.ts";
import { loadProjectDefinitions, projectFor, withInstance } from "../session.ts";

interface ListOptions {
  select?: string;
  json?: boolean;
}

/** "2/4 materialized, 1 failed" for a partitioned asset. */
function partitionStatus(counts: PartitionCounts, p: Painter): string {
  if (counts.registered === 0 && counts.materialized === 0 && counts.failed === 0)
    return p.dim("no partitions");
  const failed = counts.failed > 0 ? `, ${p.red(`${counts.failed} failed`)}` : "";
  return `${counts.materialized}/${counts.registered} materialized${failed}`;
}

export async function runList(opts: ListOptions, cmd: Command): Promise<number> {
  const project = projectFor(globalsOf(cmd));
  const defs = await loadProjectDefinitions(project);
  // "*" lists every asset in topological order
  const keys = resolveSelection(defs, opts.select ?? "*");
  const rows = await withInstance(project, (instance) =>
    withInspector(defs, instance, async (inspector) => {
      const out = [];
      for (const key of keys) {
        const def = defs.assets.get(key)!;
        out.push({ def, state: await assetState(inspector, instance, def) });
      }
      return out;
    }),
  );

  if (opts.json) {
    printJson(
      rows.map(({ def, state }) => ({
        key: def.key,
        group: def.group,
        description: def.description ?? null,
        deps: upstreamEdges(def).map((e) => e.asset),
        partitions: def.partitions?.name ?? null,
        io: def.io,
        kinds: def.kinds,
        tags: def.tags,
        lastMaterialization: lastMaterializationJson(state.latest),
        status: state.status,
        partitionCounts: state.partitions,
      })),
    );
    return EXIT_OK;
  }
  if (rows.length === 0) {
    process.stdout.write("No assets selected.\n");
    return EXIT_OK;
  }
  const p = paintOut;
  const table = rows.map(({ def, state }) => {
    const counts = state.partitions;
    // Unpartitioned: the store's answer (a deleted output is missing), "never" without any record.
    const status =
      state.latest === undefined && state.status !== "materialized"
        ? p.dim("never")
        : statusColor(p, state.status ?? "");
    return [
      def.key,
      def.group,
      def.partitions ? def.partitions.name : "-",
      upstreamEdges(def)
        .map((e) => e.asset)
        .join(",") || "-",
      formatTimestamp(state.latest?.timestamp),
      counts ? partitionStatus(counts, p) : status,
    ];
  });
  process.stdout.write(
    renderTable(["KEY", "GROUP", "PARTITIONS", "DEPS", "LAST MATERIALIZATION", "STATUS"], table, p),
  );
  return EXIT_OK;
}
