import type { CheckResultRecord } from "../../instance/check-records.ts";
import type { EventRecord, Storage } from "../../instance/types.ts";

export type NewEvent = Omit<EventRecord, "id" | "runId" | "timestamp">;

export interface RecorderOptions {
  /** Flush once this many events are buffered. */
  maxBatch?: number;
  /** Flush buffered events at most this long after the first one arrived. */
  maxDelayMs?: number;
  /** The run whose claims `release` drops (default: the run the events belong to). */
  claimsRunId?: string;
  /** A flush failed (the events stay buffered for the next flush). */
  onError(err: unknown): void;
}

/**
 * Buffers a run's events, check results and claim releases and writes them in batches: one
 * `recordBatch` call (all or nothing) per flush, so recording never dominates a run of many small
 * steps. A step's claim is released in the same write as its record.
 */
export class EventRecorder {
  private events: EventRecord[] = [];
  private releases: { assetKey: string; partitionKey: string }[] = [];
  private checks: CheckResultRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private waiters: { resolve(): void; reject(err: unknown): void }[] = [];
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly storage: Storage,
    private readonly runId: string,
    private readonly opts: RecorderOptions,
  ) {
    this.maxBatch = opts.maxBatch ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 100;
  }

  record(event: NewEvent): void {
    this.events.push({ ...event, runId: this.runId, timestamp: new Date().toISOString() });
    this.scheduleFlush();
  }

  /** Check results of a materialization (written after the events of the same flush). */
  recordChecks(results: CheckResultRecord[]): void {
    this.checks.push(...results);
    this.scheduleFlush();
  }

  /** Release the claim on a finished step (batched with the events). */
  release(assetKey: string, partitionKey: string | undefined): void {
    this.releases.push({ assetKey, partitionKey: partitionKey ?? "" });
    this.scheduleFlush();
  }

  /** Writes everything buffered; throws when storage refuses. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const waiters = this.waiters;
    this.waiters = [];
    try {
      if (this.events.length + this.checks.length + this.releases.length > 0) {
        this.storage.recordBatch({
          events: this.events,
          checkResults: this.checks,
          release: { runId: this.opts.claimsRunId ?? this.runId, steps: this.releases },
        });
        this.events = [];
        this.checks = [];
        this.releases = [];
      }
    } catch (err) {
      for (const w of waiters) w.reject(err);
      throw err;
    }
    for (const w of waiters) w.resolve();
  }

  /**
   * Resolves once everything recorded so far is written, by the next batch: what a recorder
   * shared by concurrent steps offers instead of a flush per step. Rejects if that write fails.
   */
  whenFlushed(): Promise<void> {
    if (this.events.length + this.releases.length + this.checks.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      // Someone waits: write at the end of this turn of the event loop, with whatever else the
      // turn recorded, rather than after the batch delay.
      if (this.waiters.length === 1) setImmediate(() => this.tryFlush());
    });
  }

  private scheduleFlush(): void {
    if (this.events.length + this.releases.length + this.checks.length >= this.maxBatch) {
      this.tryFlush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.tryFlush(), this.maxDelayMs);
    }
  }

  private tryFlush(): void {
    try {
      this.flush();
    } catch (err) {
      this.opts.onError(err);
    }
  }
}
