/**
 * Launches materializations in this process, exactly as the CLI does (same
 * `materialize` call, same options), each with its own AbortController so the
 * UI can cancel it. In-process rather than a spawned CLI: progress, cancel and
 * errors need no IPC, and compute is mostly waiting on I/O (LLM calls).
 */
import { type Definitions, materialize, type RunSummary } from "@daydream/core";
import type { UiInstance } from "../context.ts";
import type { LaunchRequest } from "./launch-request.ts";

interface ActiveRun {
  controller: AbortController;
  done: Promise<void>;
}

export class RunLauncher {
  private readonly active = new Map<string, ActiveRun>();
  /** Errors that ended a launched run abnormally (materialize itself threw after planning). */
  private readonly crashes = new Map<string, string>();

  constructor(
    private readonly definitions: Definitions,
    private readonly instance: UiInstance,
  ) {}

  /** Starts the run and resolves with its id once planned; rejects on bad input (before any step runs). */
  async launch(request: LaunchRequest): Promise<{ runId: string }> {
    const controller = new AbortController();
    let onPlanned: (runId: string) => void = () => {};
    const planned = new Promise<string>((resolve) => {
      onPlanned = resolve;
    });
    const run = materialize(this.definitions, {
      selection: request.selection,
      partitions: request.partitions,
      concurrency: request.concurrency,
      failFast: request.failFast,
      runConfig: request.runConfig,
      signal: controller.signal,
      instance: this.instance,
      onProgress: (event) => {
        if (event.type === "planned") onPlanned(event.runId);
      },
    });
    const runId = await Promise.race([planned, run.then((summary: RunSummary) => summary.runId)]);
    const done = run.then(
      () => undefined,
      (err: unknown) => {
        this.crashes.set(runId, err instanceof Error ? err.message : String(err));
      },
    );
    this.active.set(runId, { controller, done });
    done.finally(() => this.active.delete(runId));
    return { runId };
  }

  /** Asks a run launched here to stop; false when this server is not running it. */
  cancel(runId: string): boolean {
    const run = this.active.get(runId);
    if (run === undefined) return false;
    run.controller.abort(new Error("canceled from the UI"));
    return true;
  }

  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  crashOf(runId: string): string | undefined {
    return this.crashes.get(runId);
  }

  /** Waits for a launched run to finish (tests and shutdown). */
  async settled(runId: string): Promise<void> {
    await this.active.get(runId)?.done;
  }

  /** Cancels every run launched here and waits for them to end. */
  async close(): Promise<void> {
    const runs = [...this.active.values()];
    for (const run of runs) run.controller.abort(new Error("UI server shutting down"));
    await Promise.all(runs.map((run) => run.done));
  }
}
