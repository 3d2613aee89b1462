/** `assets check SEL [--partition K]`: the selected assets' checks, run now and recorded. */
import { type CheckAssetsOptions, type CheckResultRecord, checkAssets } from "@daydream/core";
import type { Command } from "commander";
import { globalsOf } from "../action.ts";
import { EXIT_OK, EXIT_STEP_FAILED, UsageError } from "../errors.ts";
import { parseKeyList } from "../keys-input.ts";
import { type Painter, paintOut } from "../output/colors.ts";
import { stepLabel } from "../output/format.ts";
import { printJson } from "../output/json.ts";
import { renderTable } from "../output/table.ts";
import { loadProjectDefinitions, projectFor, withInstance } from "../session.ts";

interface CheckOptions {
  partition?: string;
  partitions?: string;
  allPartitions?: boolean;
  concurrency?: number;
  json?: boolean;
}

/** Failed results listed one per line; the rest are counted. */
const FAILURES_SHOWN = 20;

function partitionsOf(opts: CheckOptions): CheckAssetsOptions["partitions"] {
  const given = [opts.partition, opts.partitions, opts.allPartitions].filter((v) => v !== undefined);
  if (given.length > 1) {
    throw new UsageError("--partition, --partitions and --all-partitions cannot be combined", {
      hint: "choose one way to say which partitions to check",
    });
  }
  if (opts.partition !== undefined) return { keys: [opts.partition] };
  if (opts.partitions !== undefined) return { keys: parseKeyList(opts.partitions, "--partitions") };
  return opts.allPartitions ? "all" : "materialized";
}

function countsTable(results: CheckResultRecord[], p: Painter): string {
  const rows = new Map<string, { passed: number; warned: number; failed: number }>();
  for (const r of results) {
    const id = `${r.assetKey}\0${r.checkName}`;
    const row = rows.get(id) ?? { passed: 0, warned: 0, failed: 0 };
    if (r.passed) row.passed++;
    else if (r.severity === "warn") row.warned++;
    else row.failed++;
    rows.set(id, row);
  }
  return renderTable(
    ["asset", "check", "passed", "warned", "failed"],
    [...rows].map(([id, c]) => {
      const [asset, check] = id.split("\0");
      return [
        asset,
        check,
        String(c.passed),
        c.warned > 0 ? p.yellow(String(c.warned)) : "0",
        c.failed > 0 ? p.red(String(c.failed)) : "0",
      ];
    }),
    p,
  );
}

function failureLines(results: CheckResultRecord[], p: Painter): string {
  const failed = results.filter((r) => !r.passed);
  if (failed.length === 0) return "";
  const lines = failed.slice(0, FAILURES_SHOWN).map((r) => {
    const mark = r.severity === "warn" ? p.yellow("warn ") : p.red("error");
    const blocking = r.blocking && r.severity === "error" ? p.dim(" (blocking)") : "";
    return `  ${mark} ${stepLabel(r.assetKey, r.partitionKey || undefined)} ${r.checkName}${blocking}: ${r.description ?? "failed"}`;
  });
  if (failed.length > FAILURES_SHOWN)
    lines.push(`  ... and ${failed.length - FAILURES_SHOWN} more (--json lists all)`);
  return `Failed checks:\n${lines.join("\n")}\n`;
}

export async function runCheck(selection: string, opts: CheckOptions, cmd: Command): Promise<number> {
  const partitions = partitionsOf(opts);
  const project = projectFor(globalsOf(cmd));
  const defs = await loadProjectDefinitions(project);
  const summary = await withInstance(project, (instance) =>
    checkAssets(defs, { selection, partitions, instance, concurrency: opts.concurrency }),
  );
  if (opts.json) printJson(summary);
  else if (summary.results.length === 0) {
    process.stdout.write(`No partition to check: nothing of ${summary.assets.join(", ")} is materialized.\n`);
  } else {
    const p = paintOut;
    process.stdout.write(countsTable(summary.results, p));
    process.stdout.write(failureLines(summary.results, p));
    process.stdout.write(
      `${summary.passed} passed, ${summary.warned} warned, ${summary.failed} failed  ${p.dim(`(log ${summary.logPath})`)}\n`,
    );
  }
  return summary.failed > 0 ? EXIT_STEP_FAILED : EXIT_OK;
}
