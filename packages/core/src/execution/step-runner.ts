import type { Logger } from "pino";
import { isMaterializeResult } from "../definitions/result.ts";
import type { AssetDefinition, ComputeInstance, Definitions, Metadata } from "../definitions/types.ts";
import { AssetsError } from "../errors.ts";
import type { Storage } from "../instance/types.ts";
import { stepContext } from "./context.ts";
import type { EventRecorder } from "./events/recorder.ts";
import { InputLoader, ioManagerOf } from "./inputs.ts";
import type { RunLog } from "./logging.ts";
import { type Plan, type PlannedStep, stepLabel } from "./plan.ts";
import { withRetries } from "./retry.ts";
import type { RunProgressEvent, StepFailure } from "./types.ts";

export interface StepRunnerArgs {
  defs: Definitions;
  plan: Plan;
  runId: string;
  storage: Storage;
  instance: ComputeInstance;
  recorder: EventRecorder;
  runLog: RunLog;
  /** Aborted on cancel or fail-fast; handed to every compute. */
  signal: AbortSignal;
  failFast: boolean;
  configFor(asset: AssetDefinition<unknown>): Record<string, unknown>;
  resourcesFor(asset: AssetDefinition<unknown>): Record<string, unknown>;
  emit(event: RunProgressEvent): void;
  /** Stop the run (fail-fast, storage failure). */
  stop(reason: "fail-fast" | "storage", err?: unknown): void;
  /** Why steps not started yet are skipped once the run is stopping. */
  notStartedReason(): string;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Full text for the event log: AssetsErrors keep their context and hint. */
function errorText(err: Error): string {
  return err instanceof AssetsError ? err.describe() : err.message;
}

function ms(start: number): number {
  return Math.round((performance.now() - start) * 1000) / 1000;
}

/** Runs the nodes of a plan one at a time (the executor calls `run` per node in dependency order). */
export class StepRunner {
  succeeded = 0;
  failed = 0;
  skipped = 0;
  readonly failures: StepFailure[] = [];
  /** Why downstream nodes of a failed/skipped node cannot run; absent for nodes that completed. */
  private readonly blocked = new Map<number, string>();
  private readonly loader: InputLoader;

  constructor(private readonly a: StepRunnerArgs) {
    this.loader = new InputLoader(a.defs, a.runId);
  }

  async run(node: number): Promise<void> {
    const reason = this.blockedReason(node);
    if (node >= this.a.plan.steps.length) {
      // A barrier only forwards the first reason its downstream cannot run.
      if (reason) this.blocked.set(node, reason);
      return;
    }
    const step = this.a.plan.steps[node];
    if (reason) return this.skip(node, step, reason);
    if (this.a.signal.aborted) return this.skip(node, step, this.a.notStartedReason());
    let claimed: boolean;
    try {
      claimed = this.a.storage.claimStep(step.assetKey, step.partitionKey ?? "", this.a.runId);
    } catch (err) {
      this.a.stop("storage", err);
      return this.skip(node, step, this.a.notStartedReason());
    }
    if (!claimed) {
      const label = stepLabel(step);
      return this.skip(
        node,
        step,
        `${label} is being materialized by another run (a live process holds its claim)`,
        `upstream ${label} is being materialized by another run`,
      );
    }
    try {
      await this.materialize(node, step);
    } finally {
      this.a.recorder.release(step.assetKey, step.partitionKey);
    }
  }

  private blockedReason(node: number): string | undefined {
    for (const u of this.a.plan.upstream[node]) {
      const reason = this.blocked.get(u);
      if (reason) return reason;
    }
    return undefined;
  }

  private async materialize(node: number, step: PlannedStep): Promise<void> {
    const { assetKey, partitionKey } = step;
    const asset = this.a.defs.assets.get(assetKey)!;
    const log = this.a.runLog.forStep(assetKey, partitionKey);
    const start = performance.now();
    this.a.recorder.record({ type: "step_start", assetKey, partitionKey: partitionKey ?? null });
    this.a.emit({ type: "step_start", assetKey, partitionKey });
    log.info("step started");
    try {
      const inputs = await this.loader.load(asset, partitionKey);
      const { value, metadata } = await withRetries(
        asset.retry,
        this.a.signal,
        (attempt) => this.compute(asset, partitionKey, attempt, inputs, log),
        {
          onRetry: (err, attempt, delayMs) =>
            log.warn({ err, attempt, delay_ms: delayMs }, "attempt failed with a retryable error; retrying"),
        },
      );
      await ioManagerOf(this.a.defs, asset).handleOutput(
        { assetKey, partitionKey, runId: this.a.runId },
        value,
      );
      const durationMs = ms(start);
      this.a.recorder.record({
        type: "materialization",
        assetKey,
        partitionKey: partitionKey ?? null,
        durationMs,
        metadata,
      });
      this.succeeded++;
      log.info({ duration_ms: durationMs }, "step materialized");
      this.a.emit({ type: "step_success", assetKey, partitionKey, durationMs, metadata });
    } catch (err) {
      this.fail(node, step, asError(err), ms(start), log);
    }
  }

  private async compute(
    asset: AssetDefinition<unknown>,
    partitionKey: string | undefined,
    attempt: number,
    inputs: Record<string, unknown>,
    log: Logger,
  ): Promise<{ value: unknown; metadata: Metadata }> {
    const { ctx, metadata } = stepContext({
      assetKey: asset.key,
      partitionKey,
      runId: this.a.runId,
      attempt,
      config: this.a.configFor(asset),
      resources: this.a.resourcesFor(asset),
      log,
      signal: this.a.signal,
      instance: this.a.instance,
    });
    const result = await asset.compute(ctx, inputs);
    if (isMaterializeResult(result))
      return { value: result.value, metadata: { ...metadata, ...result.metadata } };
    return { value: result, metadata };
  }

  private fail(node: number, step: PlannedStep, error: Error, durationMs: number, log: Logger): void {
    const { assetKey, partitionKey } = step;
    this.failed++;
    this.blocked.set(node, `upstream ${stepLabel(step)} failed`);
    this.failures.push({ assetKey, partitionKey, error: error.message.split("\n")[0] });
    this.a.recorder.record({
      type: "step_failure",
      assetKey,
      partitionKey: partitionKey ?? null,
      durationMs,
      error: { message: errorText(error), stack: error.stack, name: error.name },
    });
    log.error({ err: error, duration_ms: durationMs }, "step failed");
    this.a.emit({ type: "step_failure", assetKey, partitionKey, durationMs, error });
    if (this.a.failFast) this.a.stop("fail-fast");
  }

  private skip(node: number, step: PlannedStep, reason: string, downstreamReason = reason): void {
    const { assetKey, partitionKey } = step;
    this.skipped++;
    this.blocked.set(node, downstreamReason);
    this.a.recorder.record({
      type: "step_skipped",
      assetKey,
      partitionKey: partitionKey ?? null,
      message: reason,
    });
    this.a.runLog.forStep(assetKey, partitionKey).info({ reason }, "step skipped");
    this.a.emit({ type: "step_skipped", assetKey, partitionKey, reason });
  }
}
