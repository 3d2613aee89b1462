/** The end-of-run summary printed by `materialize` (and reused by `runs show`). */
import type { RunSummary, StepFailure } from "@daydream/core";
import { type Painter, statusColor } from "./colors.ts";
import { formatDuration, plural, stepLabel } from "./format.ts";

/** Failures listed in human output; the rest are counted (all of them are in --json and the logs). */
export const MAX_LISTED_FAILURES = 20;

export function logsCommand(runId: string): string {
  return `npx assets logs ${runId}`;
}

/** The hint under its failure, every line indented past the ✗ (some hints span lines). */
function renderHint(hint: string, p: Painter): string {
  const [first, ...rest] = hint.split("\n");
  return [`      ${p.cyan("hint:")} ${first}`, ...rest.map((line) => `      ${line}`)].join("\n");
}

function renderFailure(f: StepFailure, p: Painter): string {
  const line = `  ${p.red("✗")} ${stepLabel(f.assetKey, f.partitionKey)}: ${f.error}`;
  return f.hint ? `${line}\n${renderHint(f.hint, p)}` : line;
}

export function renderFailures(failures: StepFailure[], total: number, p: Painter): string {
  if (total === 0) return "";
  const lines = failures.slice(0, MAX_LISTED_FAILURES).map((f) => renderFailure(f, p));
  const listed = Math.min(failures.length, MAX_LISTED_FAILURES);
  if (total > listed) lines.push(p.dim(`  ... and ${total - listed} more`));
  return `Failures:\n${lines.join("\n")}\n`;
}

/** Steps whose compute declined to start (a budget reached...): the run did not do them. */
function renderNotStarted(summary: RunSummary, p: Painter): string {
  const n = summary.notStarted ?? 0;
  if (n === 0) return "";
  return (
    `  ${p.yellow(`${plural(n, "step")} not started`)}: ${summary.notStartedReason ?? "declined to start"}\n` +
    `      ${p.cyan("hint:")} materialize again with --missing to do them (and the steps after them)\n`
  );
}

/** Steps other runs did or are doing: not failures, but the user should know. */
function renderElsewhere(summary: RunSummary, p: Painter): string {
  const lines: string[] = [];
  const elsewhere = summary.doneElsewhere ?? 0;
  if (elsewhere > 0) {
    lines.push(
      `  ${plural(elsewhere, "step")} already materialized by another run meanwhile (not computed again)`,
    );
  }
  const held = summary.held ?? 0;
  if (held > 0) {
    lines.push(
      `  ${p.yellow(`${plural(held, "step")} left to other live runs`)} that are materializing them:`,
    );
    for (const h of summary.heldBy ?? []) {
      lines.push(`    ${plural(h.steps, "step")}: run ${h.runId} (host ${h.host}, pid ${h.pid})`);
    }
    lines.push(
      `      ${p.cyan("hint:")} add --wait-for-held to wait for them (a holder that dies is taken over)`,
    );
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

/** Failed checks listed one per line; the rest are counted. */
const CHECK_FAILURES_SHOWN = 10;

function renderChecks(summary: RunSummary, p: Painter): string {
  const { passed, warned, failed, failures } = summary.checks;
  if (passed + warned + failed === 0) return "";
  const head =
    `  checks: ${passed} passed, ` +
    `${warned > 0 ? p.yellow(`${warned} warned`) : "0 warned"}, ` +
    `${failed > 0 ? p.red(`${failed} failed`) : "0 failed"}\n`;
  const lines = failures.slice(0, CHECK_FAILURES_SHOWN).map((f) => {
    const mark = f.severity === "warn" ? p.yellow("warn ") : p.red("error");
    const held = f.blocking && f.severity === "error" ? p.dim(" (blocking: downstream not run)") : "";
    return `    ${mark} ${stepLabel(f.assetKey, f.partitionKey)} ${f.checkName}${held}: ${f.description ?? "failed"}\n`;
  });
  if (failures.length > CHECK_FAILURES_SHOWN) {
    lines.push(`    ... and ${failures.length - CHECK_FAILURES_SHOWN} more (assets show KEY lists them)\n`);
  }
  return head + lines.join("");
}

/** `logs` replaces the line saying where the run's log is (a queued run's is on its workers' machines). */
export function renderRunSummary(summary: RunSummary, p: Painter, logs?: string): string {
  const head = `Run ${p.bold(summary.runId)} ${statusColor(p, summary.status)} in ${formatDuration(summary.durationMs)}`;
  const counts =
    `  ${p.green(`${summary.succeeded} succeeded`)}, ` +
    `${summary.failed > 0 ? p.red(`${summary.failed} failed`) : "0 failed"}, ` +
    // only a canceled (or fail-fast) run has canceled steps: other summaries stay as they were
    (summary.canceled > 0 ? `${p.yellow(`${summary.canceled} canceled`)}, ` : "") +
    `${summary.skipped > 0 ? p.yellow(`${summary.skipped} skipped`) : "0 skipped"} ` +
    `(of ${plural(summary.totalSteps, "step")})`;
  return [
    `${head}\n${counts}\n`,
    renderChecks(summary, p),
    renderNotStarted(summary, p),
    renderElsewhere(summary, p),
    renderFailures(summary.failures, summary.failed, p),
    `${logs ?? `Logs: ${logsCommand(summary.runId)}  ${p.dim(`(${summary.logPath})`)}`}\n`,
  ].join("");
}
