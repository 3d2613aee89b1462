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
  /** Stops the bar or timer; safe to call more than once. */
  stop(): void;
}

export type ProgressMode = "bar" | "lines" | "none";

/** Runs with more steps than this report a periodic summary instead of a line per step. */
export const LINE_PER_STEP_LIMIT = 50;
const SUMMARY_INTERVAL_MS = 5000;

interface Counts {
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  canceled: number;
  /** Left to another live run that is materializing them. */
  held: number;
  /** Materialized by another run since this one was planned. */
  elsewhere: number;
  startedAt: number;
}

function finished(c: Counts): number {
  return c.succeeded + c.failed + c.skipped + c.canceled + c.held + c.elsewhere;
}

function rateAndEta(c: Counts): { rate: number; eta: string } {
  const elapsed = (Date.now() - c.startedAt) / 1000;
  const rate = elapsed > 0 ? finished(c) / elapsed : 0;
  const remaining = c.total - finished(c);
  return { rate, eta: rate > 0 ? formatDuration((remaining / rate) * 1000) : "-" };
}

export function summaryLine(c: Counts): string {
  const { rate, eta } = rateAndEta(c);
  const canceled = c.canceled > 0 ? `, ${c.canceled} canceled` : "";
  const skipped = c.skipped > 0 ? `, ${c.skipped} skipped` : "";
  const elsewhere = c.elsewhere > 0 ? `, ${c.elsewhere} done by other runs` : "";
  const held = c.held > 0 ? `, ${c.held} left to other runs` : "";
  return (
    `progress: ${finished(c)}/${c.total} steps, ${c.succeeded} succeeded, ${c.failed} failed${canceled}${skipped}${elsewhere}${held}, ` +
    `${rate.toFixed(1)} steps/s, ETA ${eta}`
  );
}

function failureText(event: Extract<RunProgressEvent, { type: "step_failure" }>, p: Painter): string {
  return `${p.red("✗")} ${stepLabel(event.assetKey, event.partitionKey)} failed: ${firstLine(event.error.message)}`;
}

export async function createProgressReporter(mode: ProgressMode, p: Painter): Promise<ProgressReporter> {
  if (mode === "none") return { onEvent() {}, note: writeLine, stop() {} };
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
    held: 0,
    elsewhere: 0,
    startedAt: Date.now(),
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
          counts.skipped++;
          if (perStep)
            write(
              `${p.yellow("-")} ${stepLabel(event.assetKey, event.partitionKey)} skipped: ${event.reason}`,
            );
          return;
        case "step_canceled":
          counts.canceled++;
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
    stop() {
      if (timer === undefined) return;
      clearInterval(timer);
      timer = undefined;
      write(summaryLine(counts));
    },
  };
}

async function createBarReporter(p: Painter): Promise<ProgressReporter> {
  const { MultiBar, Presets } = (await import("cli-progress")).default;
  const counts = newCounts();
  const multibar = new MultiBar(
    {
      stream: process.stderr,
      format: (_options, params, payload: { done: number; failed: number; rate: string; eta: string }) => {
        const width = 24;
        const filled = Math.round(params.progress * width);
        const bar = "█".repeat(filled) + "░".repeat(width - filled);
        const failed = payload.failed > 0 ? p.red(`${payload.failed} failed`) : "0 failed";
        return (
          `${bar} ${Math.floor(params.progress * 100)}% | ${payload.done} done, ${failed} / ${params.total}` +
          ` | ${payload.rate}/s | ETA ${payload.eta}`
        );
      },
      hideCursor: true,
      clearOnComplete: false,
      fps: 10,
    },
    Presets.shades_classic,
  );
  let bar: ReturnType<typeof multibar.create> | undefined;
  const payload = () => {
    const { rate, eta } = rateAndEta(counts);
    return { done: counts.succeeded + counts.elsewhere, failed: counts.failed, rate: rate.toFixed(1), eta };
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
        case "step_success":
          counts.succeeded++;
          break;
        case "step_failure":
          counts.failed++;
          multibar.log(`${failureText(event, p)}\n`);
          break;
        case "step_skipped":
          counts.skipped++;
          break;
        case "step_canceled":
          counts.canceled++;
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
