/**
 * The steps of a run, folded from its event log. Kept per run and updated
 * incrementally (events after the last one seen), so polling a live run with
 * 100,000 steps reads only the new events each time.
 */
import type { EventRecord, EventType, Storage } from "@daydream/core";

const STEP_EVENT_TYPES: EventType[] = ["step_start", "materialization", "step_failure", "step_skipped"];
const READ_BATCH = 5_000;
const CACHED_RUNS = 4;

export type StepStatus = "running" | "succeeded" | "failed" | "skipped" | "canceled";

/**
 * The event log records a step stopped mid-way by a cancel as a skip (so `--missing` redoes it),
 * with how long it ran; a step skipped before it started has no duration.
 */
export function isCanceledStep(event: EventRecord): boolean {
  return event.type === "step_skipped" && event.durationMs != null;
}

export interface StepRow {
  assetKey: string;
  partitionKey: string | null;
  status: StepStatus;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  /** The failure's error message, or why the step was skipped or canceled. */
  error: string | null;
}

export interface StepCounts {
  running: number;
  succeeded: number;
  failed: number;
  skipped: number;
  canceled: number;
}

export class RunSteps {
  private lastEventId = 0;
  private readonly steps = new Map<string, StepRow>();

  constructor(readonly runId: string) {}

  /** Id of the last step event folded in (0 before any). */
  get lastStepEventId(): number {
    return this.lastEventId;
  }

  update(storage: Storage): void {
    for (;;) {
      const events = storage.getEvents(this.runId, {
        afterId: this.lastEventId,
        limit: READ_BATCH,
        types: STEP_EVENT_TYPES,
      });
      for (const event of events) this.apply(event);
      if (events.length < READ_BATCH) return;
    }
  }

  private apply(event: EventRecord): void {
    if (event.id !== undefined) this.lastEventId = Math.max(this.lastEventId, event.id);
    if (event.assetKey === null) return;
    const id = `${event.assetKey}\u0000${event.partitionKey ?? ""}`;
    let step = this.steps.get(id);
    if (step === undefined) {
      step = {
        assetKey: event.assetKey,
        partitionKey: event.partitionKey,
        status: "running",
        startedAt: null,
        endedAt: null,
        durationMs: null,
        error: null,
      };
      this.steps.set(id, step);
    }
    if (event.type === "step_start") {
      step.status = "running";
      step.startedAt = event.timestamp;
      return;
    }
    step.endedAt = event.timestamp;
    step.durationMs = event.durationMs ?? null;
    if (event.type === "materialization") {
      step.status = "succeeded";
      step.error = null;
    } else if (event.type === "step_failure") {
      step.status = "failed";
      step.error = event.error?.message ?? "failed without an error message";
    } else {
      step.status = isCanceledStep(event) ? "canceled" : "skipped";
      step.error = event.message ?? null;
    }
  }

  counts(): StepCounts {
    const counts: StepCounts = { running: 0, succeeded: 0, failed: 0, skipped: 0, canceled: 0 };
    for (const step of this.steps.values()) counts[step.status]++;
    return counts;
  }

  page(opts: { offset: number; limit: number; status?: StepStatus }): { total: number; items: StepRow[] } {
    const items: StepRow[] = [];
    let total = 0;
    for (const step of this.steps.values()) {
      if (opts.status !== undefined && step.status !== opts.status) continue;
      if (total >= opts.offset && items.length < opts.limit) items.push(step);
      total++;
    }
    return { total, items };
  }
}

/** The few most recently viewed runs' step indexes. */
export class StepsCache {
  private readonly runs = new Map<string, RunSteps>();

  constructor(private readonly storage: Storage) {}

  get(runId: string): RunSteps {
    let steps = this.runs.get(runId);
    if (steps === undefined) {
      steps = new RunSteps(runId);
      if (this.runs.size >= CACHED_RUNS) this.runs.delete(this.runs.keys().next().value as string);
    } else {
      this.runs.delete(runId);
    }
    this.runs.set(runId, steps);
    steps.update(this.storage);
    return steps;
  }
}
