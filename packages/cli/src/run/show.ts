/** `assets show KEY [--partition K] [--json]`: one asset, its latest materialization and partition counts. */
import {
  type AssetPartitionState,
  describeCause,
  PartitionError,
  type PartitionStatus,
  type StalenessSummary,
  summarizeStaleness,
} from "@daydream/core";
import type { Command } from "commander";
import { globalsOf } from "../action.ts";
import { assetState, requireAsset, upstreamEdges, withInspector } from "../asset-info.ts";
import { checkInfo, checkLines } from "../check-info.ts";
import { EXIT_OK } from "../errors.ts";
import { paintOut, statusColor } from "../output/colors.ts";
import { firstLine, formatDuration, formatTimestamp, stepLabel } from "../output/format.ts";
import { printJson } from "../output/json.ts";
import { loadProjectDefinitions, projectFor, withInstance } from "../session.ts";

interface ShowOptions {
  partition?: string;
  stale?: boolean;
  json?: boolean;
}

/** Stale partitions listed by `--stale`. */
const STALE_SAMPLE = 10;

const MAX_METADATA_VALUE = 200;

function metadataLines(metadata: Record<string, unknown> | null): string[] {
  if (metadata === null || Object.keys(metadata).length === 0) return ["  metadata: (none)"];
  return [
    "  metadata:",
    ...Object.entries(metadata).map(([k, v]) => {
      const text = typeof v === "string" ? v : JSON.stringify(v);
      const short = text.length > MAX_METADATA_VALUE ? `${text.slice(0, MAX_METADATA_VALUE)}...` : text;
      return `    ${k}: ${short}`;
    }),
  ];
}

function stateLines(state: AssetPartitionState | undefined, what: string): string[] {
  const p = paintOut;
  if (state === undefined) return [`${what}: ${p.dim("never materialized")}`];
  const head =
    `${what}: ${statusColor(p, state.status)} at ${formatTimestamp(state.timestamp)}` +
    ` in ${formatDuration(state.durationMs)} (run ${state.runId})`;
  const lines = [head];
  if (state.error) lines.push(`  error: ${p.red(firstLine(state.error))}`);
  const success = state.lastMaterialization;
  if (state.status === "failed" && success) {
    // the value from the last success may still be on disk: say when that was
    lines.push(`  last success: ${formatTimestamp(success.timestamp)} (run ${success.runId})`);
  }
  if (state.status === "materialized" || success) lines.push(...metadataLines(state.metadata));
  return lines;
}

export async function runShow(key: string, opts: ShowOptions, cmd: Command): Promise<number> {
  const project = projectFor(globalsOf(cmd));
  const defs = await loadProjectDefinitions(project);
  const def = requireAsset(defs, key);
  const partitionsName = def.partitions?.name;
  if (opts.partition !== undefined && partitionsName === undefined) {
    throw new PartitionError("PARTITION_FOR_UNPARTITIONED", `asset "${key}" is not partitioned`, {
      context: { asset: key, partition: opts.partition },
      hint: `drop --partition: \`assets show ${key}\``,
    });
  }

  const { state, counts, status, stale, causes, checks } = await withInstance(project, (instance) =>
    withInspector(defs, instance, async (inspector) => {
      if (opts.partition !== undefined && !instance.hasDynamicPartition(partitionsName!, opts.partition)) {
        throw new PartitionError(
          "UNREGISTERED_PARTITION",
          `partition "${opts.partition}" is not registered`,
          {
            context: { asset: key, partition: opts.partition, partitions: partitionsName },
            hint: `see registered keys with \`assets partitions list ${partitionsName}\``,
          },
        );
      }
      const summary = await assetState(inspector, instance, def);
      const one = opts.partition ?? (partitionsName === undefined ? "" : undefined);
      const latest =
        opts.partition !== undefined
          ? instance.storage.getAssetPartitionState(key, opts.partition)
          : summary.latest;
      const statuses = await inspector.statusesOf(key);
      return {
        state: latest,
        counts: summary.partitions,
        status: one === undefined ? null : statuses.statusOf(one),
        stale: summarizeStaleness(await inspector.staleOf(key), opts.stale ? STALE_SAMPLE : 0),
        causes:
          one !== undefined && statuses.materialized.has(one)
            ? inspector.causesOf(key, one).map(describeCause)
            : [],
        checks: checkInfo(defs, instance.storage, key, opts.partition),
      };
    }),
  );

  if (opts.json) {
    printJson({
      key: def.key,
      group: def.group,
      description: def.description ?? null,
      partitions: partitionsName ?? null,
      io: def.io,
      kinds: def.kinds,
      tags: def.tags,
      codeVersion: def.codeVersion ?? null,
      resources: def.resources,
      upstream: upstreamEdges(def),
      partition: opts.partition ?? null,
      materialization: state ?? null,
      status,
      partitionCounts: counts,
      stale: { count: stale.stale, byCause: stale.byCause, sample: stale.sample },
      staleCauses: status === null ? null : causes,
      checks,
    });
    return EXIT_OK;
  }

  const p = paintOut;
  const edges = upstreamEdges(def);
  const inputs = edges.filter((e) => e.kind === "input").map((e) => e.asset);
  const deps = edges.filter((e) => e.kind === "dep").map((e) => e.asset);
  const lines = [
    `${p.bold(def.key)} ${p.dim(`(group ${def.group})`)}`,
    ...(def.description ? [`  ${def.description}`] : []),
    `  partitions: ${partitionsName ?? "-"}   io: ${def.io}   code version: ${def.codeVersion ?? "-"}`,
    `  inputs: ${inputs.join(", ") || "-"}   deps: ${deps.join(", ") || "-"}`,
  ];
  if (def.kinds.length > 0) lines.push(`  kinds: ${def.kinds.join(", ")}`);
  const tags = Object.entries(def.tags);
  if (tags.length > 0) lines.push(`  tags: ${tags.map(([k, v]) => `${k}=${v}`).join(", ")}`);
  if (counts !== null) {
    lines.push(
      `Partitions (${counts.definition}): ${counts.registered} registered: ` +
        `${p.green(`${counts.materialized} materialized`)}, ` +
        `${counts.failed > 0 ? p.red(`${counts.failed} failed`) : "0 failed"}, ${counts.missing} missing, ` +
        `${stale.stale > 0 ? p.yellow(`${stale.stale} stale`) : "0 stale"}`,
    );
  }
  const what =
    opts.partition !== undefined
      ? `Partition ${stepLabel(key, opts.partition)}`
      : state?.partitionKey
        ? `Latest materialization (${stepLabel(key, state.partitionKey)})`
        : "Latest materialization";
  lines.push(...stateLines(state, what));
  if (status !== null) lines.push(...currentLines(state, status, causes));
  if (opts.stale) lines.push(...staleLines(stale));
  lines.push(...checkLines(checks, p));
  process.stdout.write(`${lines.join("\n")}\n`);
  return EXIT_OK;
}

/** Whether one partition's recorded output is still there and current. */
function currentLines(
  state: AssetPartitionState | undefined,
  status: PartitionStatus,
  causes: readonly string[],
): string[] {
  const p = paintOut;
  if (status !== "materialized") {
    return state?.lastMaterialization
      ? [`  output: ${p.red("gone from the store")} (counts as missing)`]
      : [];
  }
  if (causes.length === 0) return [`  ${p.green("current")}`];
  return [`  ${p.yellow("stale")}: ${causes.join("; ")}`];
}

function staleLines(stale: StalenessSummary): string[] {
  const p = paintOut;
  if (stale.stale === 0) return ["Stale: none"];
  return [
    `Stale: ${p.yellow(String(stale.stale))} partitions`,
    "  by cause:",
    ...stale.byCause.map((c) => `    ${c.cause}: ${c.count}`),
    `  sample (${stale.sample.length} of ${stale.stale}):`,
    ...stale.sample.map(
      (s) => `    ${s.partitionKey === "" ? "(unpartitioned)" : s.partitionKey}: ${s.causes.join("; ")}`,
    ),
  ];
}
