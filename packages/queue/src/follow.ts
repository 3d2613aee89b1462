import {
  countCheckResult,
  type EventRecord,
  type RunCheckCounts,
  type RunInstance,
  type RunProgressEvent,
  type RunStatus,
  type RunSummary,
  type StepFailure,
} from "@daydream/core";

export interface FollowOptions {
  /** Stop following (the run goes on in the workers). */
  signal?: AbortSignal;
  onProgress?: (event: RunProgressEvent) => void;
  /** How often the event log is read (default 500 ms). */
  pollMs?: number;
}

const FINISHED: ReadonlySet<RunStatus> = new Set(["succeeded", "failed", "canceled", "interrupted"]);

type Outcome = "succeeded" | "failed" | "skipped" | "canceled";

/**
 * Follows a queued run from its event log until it ends: progress events as the in-process
 * executor emits them, then its summary. A step's last outcome counts (a step a stopping worker
 * handed back and another computed counts once, as succeeded). Returns undefined when `signal`
 * stopped the following first.
 */
export async function followRun(
  instance: RunInstance,
  runId: string,
  opts: FollowOptions = {},
): Promise<RunSummary | undefined> {
  const storage = instance.storage;
  const started = performance.now();
  const first = storage.getRun(runId);
  if (!first) throw new Error(`run ${runId} does not exist`);
  const outcomes = new Map<string, Outcome>();
  const failures = new Map<string, StepFailure>();
  let afterId = 0;
  opts.onProgress?.({
    type: "planned",
    runId,
    totalSteps: first.stepCount,
    logPath: instance.logPathFor(runId),
  });
  for (;;) {
    // Read the status before the events: events up to the end are then all in this read.
    const status = storage.getRun(runId)?.status ?? first.status;
    for (;;) {
      const page = storage.getEvents(runId, { afterId, limit: 1000 });
      for (const event of page) {
        afterId = event.id ?? afterId;
        record(event);
      }
      if (page.length < 1000) break;
    }
    if (FINISHED.has(status)) return summaryOf(status);
    if (opts.signal?.aborted) return undefined;
    await sleep(opts.pollMs ?? 500, opts.signal);
  }

  function record(event: EventRecord): void {
    if (event.assetKey === null) return;
    const partitionKey = event.partitionKey || undefined;
    const key = `${event.assetKey}\u0000${event.partitionKey ?? ""}`;
    const emit = opts.onProgress ?? (() => {});
    switch (event.type) {
      case "step_start":
        emit({ type: "step_start", assetKey: event.assetKey, partitionKey });
        return;
      case "materialization":
        outcomes.set(key, "succeeded");
        failures.delete(key);
        emit({
          type: "step_success",
          assetKey: event.assetKey,
          partitionKey,
          durationMs: event.durationMs ?? 0,
          metadata: event.metadata ?? {},
        });
        return;
      case "step_failure": {
        outcomes.set(key, "failed");
        const message = event.error?.message ?? event.message ?? "step failed";
        failures.set(key, {
          assetKey: event.assetKey,
          partitionKey,
          error: message.split("\n")[0],
          ...(event.error?.hint ? { hint: event.error.hint } : {}),
        });
        emit({
          type: "step_failure",
          assetKey: event.assetKey,
          partitionKey,
          durationMs: event.durationMs ?? 0,
          error: Object.assign(new Error(message), event.error?.userError ? { userError: true } : {}),
        });
        return;
      }
      case "step_skipped": {
        const reason = event.message ?? "skipped";
        // A step a stopping worker handed back is not an outcome: another worker runs it.
        if (!outcomes.has(key)) outcomes.set(key, reason.startsWith("run canceled") ? "canceled" : "skipped");
        emit({ type: "step_skipped", assetKey: event.assetKey, partitionKey, reason });
        return;
      }
      default:
        return;
    }
  }

  function summaryOf(status: RunStatus): RunSummary {
    const count = (o: Outcome) => [...outcomes.values()].filter((v) => v === o).length;
    const run = storage.getRun(runId) ?? first!;
    return {
      runId,
      status,
      totalSteps: run.stepCount,
      succeeded: count("succeeded"),
      failed: count("failed"),
      skipped: count("skipped"),
      notStarted: 0,
      canceled: count("canceled"),
      held: 0,
      heldBy: [],
      doneElsewhere: 0,
      durationMs: Math.round(performance.now() - started),
      failures: [...failures.values()],
      checks: checksOf(new Set([...outcomes.keys()].map((key) => key.split("\u0000")[0]))),
      logPath: instance.logPathFor(runId),
    };
  }

  /** The run's check outcomes: the latest results of its assets' checks that this run recorded. */
  function checksOf(assetKeys: ReadonlySet<string>): RunCheckCounts {
    const counts: RunCheckCounts = { passed: 0, warned: 0, failed: 0, failures: [] };
    for (const assetKey of assetKeys) {
      for (const r of storage.listCheckResults(assetKey)) if (r.runId === runId) countCheckResult(counts, r);
    }
    return counts;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
