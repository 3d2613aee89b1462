/**
 * Live progress of a materialize run on stderr: a progress bar on a TTY
 * (cli-progress), plain lines otherwise (one per finished step for small runs,
 * a periodic summary plus every failure for large ones).
 */
import type { RunProgressEvent } from "@daydream/core";
import type { Painter } from "./colors.ts";
import { firstLine, formatDuration, stepLabel } from "./format.ts";

export interface ProgressReporter {
  onEvent(event: RunProgressEvent): void;
  /** Prints a message line without breaking the bar. */
  note(line: string): void;
  /** The run is being canceled: prints `line`; from now on the progress no longer heads for the end. */
  canceling(line: string): void;
  /** Stops the bar or timer; safe to call more than once. */
  stop(): void;
}

export type ProgressMode = "bar" | "lines" | "none";

/** Runs with more steps than this report a periodic summary instead of a line per step. */
export const LINE_PER_STEP_LIMIT = 50;
const SUMMARY_INTERVAL_MS = 5000;
/** Shown in place of the rate and ETA once Ctrl-C has canceled the run. */
const CANCELED = "run canceled";

interface Counts {
  total: number;
  succeeded: number;
  failed: number;
  /** Every skipped step, as the end-of-run summary counts them. */
  skipped: number;
  canceled: number;
  /**
   * Why the run is stopping early, once it is: Ctrl-C, or the reason of the first running
   * step its abort ended ("run canceled", or fail-fast's).
   */
  stoppedBy: string | undefined;
  /** Skips since then: steps the stop kept from starting, which are no progress. */
  skippedByStop: number;
  /** Left to another live run that is materializing them. */
  held: number;
  /** Materialized by another run since this one was planned. */
  elsewhere: number;
  startedAt: number;
  /** Live status of the run's resources by source, e.g. an LLM model's adaptive cap. */
  statuses: Map<string, string>;
}

/** Records a resource's status (undefined clears it). */
function setStatus(c: Counts, event: Extract<RunProgressEvent, { type: "status" }>): void {
  if (event.text === undefined) c.statuses.delete(event.source);
  else c.statuses.set(event.source, event.text);
}

function statusText(c: Counts): string {
  return c.statuses.size === 0 ? "" : ` | ${[...c.statuses.values()].join(" | ")}`;
}

/**
 * Steps that reached their outcome. Those a cancel (or fail-fast) ended or kept from starting
 * are left out: counting them made a canceled run's progress jump to "N/N ... ETA 0 ms".
 */
function finished(c: Counts): number {
  return c.succeeded + c.failed + c.skipped - c.skippedByStop + c.held + c.elsewhere;
}

function rateAndEta(c: Counts): { rate: number; eta: string } {
  const elapsed = (Date.now() - c.startedAt) / 1000;
  const rate = elapsed > 0 ? finished(c) / elapsed : 0;
  const remaining = c.total - finished(c);
  return { rate, eta: rate > 0 ? formatDuration((remaining / rate) * 1000) : "-" };
}

/** Counts a skipped step, and apart when the run's stop is why it never started. */
function countSkip(c: Counts): void {
  c.skipped++;
  if (c.stoppedBy !== undefined) c.skippedByStop++;
}

export function summaryLine(c: Counts): string {
  const { rate, eta } = rateAndEta(c);
  const canceled = c.canceled > 0 ? `, ${c.canceled} canceled` : "";
  const skipped = c.skipped > 0 ? `, ${c.skipped} skipped` : "";
  const elsewhere = c.elsewhere > 0 ? `, ${c.elsewhere} done by other runs` : "";
  const held = c.held > 0 ? `, ${c.held} left to other runs` : "";
  return (
    `progress: ${finished(c)}/${c.total} steps, ${c.succeeded} succeeded, ${c.failed} failed${canceled}${skipped}${elsewhere}${held}, ` +
    (c.stoppedBy ?? `${rate.toFixed(1)} steps/s, ETA ${eta}`) +
    statusText(c)
  );
}

function failureText(event: Extract<RunProgressEvent, { type: "step_failure" }>, p: Painter): string {
  return `${p.red("✗")} ${stepLabel(event.assetKey, event.partitionKey)} failed: ${firstLine(event.error.message)}`;
}

export async function createProgressReporter(mode: ProgressMode, p: Painter): Promise<ProgressReporter> {
  if (mode === "none") return { onEvent() {}, note: writeLine, canceling: writeLine, stop() {} };
  if (mode === "lines") return createLineReporter(p);
  // the bar only pays off for multi-step runs; a single step gets its line
  const bar = await createBarReporter(p);
  const lines = createLineReporter(p);
  let active: ProgressReporter | undefined;
  return {
    onEvent(event) {
      if (event.type === "planned") active = event.totalSteps > 1 ? bar : lines;
      active?.onEvent(event);
    },
    note(line) {
      (active ?? lines).note(line);
    },
    canceling(line) {
      (active ?? lines).canceling(line);
    },
    stop() {
      active?.stop();
    },
  };
}

function writeLine(line: string): void {
  process.stderr.write(`${line}\n`);
}

function newCounts(): Counts {
  return {
    total: 0,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    canceled: 0,
    stoppedBy: undefined,
    skippedByStop: 0,
    held: 0,
    elsewhere: 0,
    startedAt: Date.now(),
    statuses: new Map(),
  };
}

function createLineReporter(p: Painter): ProgressReporter {
  const counts = newCounts();
  const write = writeLine;
  let timer: NodeJS.Timeout | undefined;
  let perStep = true;
  return {
    onEvent(event) {
      switch (event.type) {
        case "planned":
          counts.total = event.totalSteps;
          counts.startedAt = Date.now();
          perStep = event.totalSteps <= LINE_PER_STEP_LIMIT;
          if (!perStep) {
            timer = setInterval(() => write(summaryLine(counts)), SUMMARY_INTERVAL_MS);
            timer.unref();
          }
          return;
        case "step_start":
          return;
        case "status":
          setStatus(counts, event);
          return;
        case "step_success":
          counts.succeeded++;
          if (perStep) {
            write(
              `${p.green("✓")} ${stepLabel(event.assetKey, event.partitionKey)} (${formatDuration(event.durationMs)})`,
            );
          }
          return;
        case "step_failure":
          counts.failed++;
          write(failureText(event, p));
          return;
        case "step_skipped":
          countSkip(counts);
          if (perStep)
            write(
              `${p.yellow("-")} ${stepLabel(event.assetKey, event.partitionKey)} skipped: ${event.reason}`,
            );
          return;
        case "step_canceled":
          counts.canceled++;
          counts.stoppedBy ??= event.reason;
          if (perStep)
            write(
              `${p.yellow("-")} ${stepLabel(event.assetKey, event.partitionKey)} canceled: ${event.reason}`,
            );
          return;
        case "step_held":
          counts.held++;
          if (perStep) write(`${p.dim("=")} ${event.reason}`);
          return;
        case "step_done_elsewhere":
          counts.elsewhere++;
          if (perStep)
            write(`${p.dim("=")} ${stepLabel(event.assetKey, event.partitionKey)} ${event.reason}`);
      }
    },
    note: write,
    canceling(line) {
      counts.stoppedBy = CANCELED;
      write(line);
    },
    stop() {
      if (timer === undefined) return;
      clearInterval(timer);
      timer = undefined;
      write(summaryLine(counts));
    },
  };
}

interface BarPayload {
  done: number;
  failed: number;
  canceled: number;
  stoppedBy: string | undefined;
  rate: string;
  eta: string;
  status: string;
}

async function createBarReporter(p: Painter): Promise<ProgressReporter> {
  const { MultiBar, Presets } = (await import("cli-progress")).default;
  const counts = newCounts();
  const multibar = new MultiBar(
    {
      stream: process.stderr,
      format: (_options, params, payload: BarPayload) => {
        const width = 24;
        const filled = Math.round(params.progress * width);
        const bar = "█".repeat(filled) + "░".repeat(width - filled);
        const failed = payload.failed > 0 ? p.red(`${payload.failed} failed`) : "0 failed";
        const canceled = payload.canceled > 0 ? `, ${p.yellow(`${payload.canceled} canceled`)}` : "";
        // A run stopping early has no end to estimate: say why rather than count down to it.
        const pace = payload.stoppedBy
          ? p.yellow(payload.stoppedBy)
          : `${payload.rate}/s | ETA ${payload.eta}`;
        return (
          `${bar} ${Math.floor(params.progress * 100)}% | ${payload.done} done, ${failed}${canceled} / ${params.total}` +
          ` | ${pace}${payload.status}`
        );
      },
      hideCursor: true,
      clearOnComplete: false,
      fps: 10,
    },
    Presets.shades_classic,
  );
  let bar: ReturnType<typeof multibar.create> | undefined;
  const payload = (): BarPayload => {
    const { rate, eta } = rateAndEta(counts);
    return {
      done: counts.succeeded + counts.elsewhere,
      failed: counts.failed,
      canceled: counts.canceled,
      stoppedBy: counts.stoppedBy,
      rate: rate.toFixed(1),
      eta,
      status: statusText(counts),
    };
  };
  const refresh = () => bar?.update(finished(counts), payload());
  let stopped = false;
  return {
    onEvent(event) {
      switch (event.type) {
        case "planned":
          counts.total = event.totalSteps;
          counts.startedAt = Date.now();
          bar = multibar.create(event.totalSteps, 0, payload());
          return;
        case "step_start":
          return;
        case "status":
          setStatus(counts, event);
          break;
        case "step_success":
          counts.succeeded++;
          break;
        case "step_failure":
          counts.failed++;
          multibar.log(`${failureText(event, p)}\n`);
          break;
        case "step_skipped":
          countSkip(counts);
          break;
        case "step_canceled":
          counts.canceled++;
          counts.stoppedBy ??= event.reason;
          break;
        case "step_held":
          counts.held++;
          break;
        case "step_done_elsewhere":
          counts.elsewhere++;
          break;
      }
      refresh();
    },
    note(line) {
      if (bar === undefined || stopped) writeLine(line);
      else multibar.log(`${line}\n`);
    },
    canceling(line) {
      counts.stoppedBy = CANCELED;
      if (bar === undefined || stopped) writeLine(line);
      else multibar.log(`${line}\n`);
      refresh();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (bar === undefined) return;
      refresh();
      // stop() renders the bar but not the lines logged since the last render (e.g. the Ctrl-C note)
      multibar.update();
      multibar.stop();
    },
  };
}
