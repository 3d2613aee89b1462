import type { Logger } from "pino";
import { isMaterializeResult } from "../definitions/result.ts";
import type { AssetDefinition, ComputeInstance, Definitions, Metadata } from "../definitions/types.ts";
import { AssetsError, isNotStarted, isUserError } from "../errors.ts";
import type { RunHolder } from "../instance/types.ts";
import { isAbortFrom } from "./aborts.ts";
import type { RunChecks } from "./checks/run-checks.ts";
import { stepContext } from "./context.ts";
import type { EventRecorder } from "./events/recorder.ts";
import { InputLoader, ioManagerOf } from "./inputs.ts";
import type { RunLog } from "./logging.ts";
import type { Permits } from "./permits.ts";
import { type Plan, type PlannedStep, stepLabel } from "./plan.ts";
import { withRetries } from "./retry.ts";
import type { ClaimAnswer, StepClaims } from "./step-claims.ts";
import type { HeldSteps, RunProgressEvent, StepFailure } from "./types.ts";
import type { RunVersions } from "./versions/run-versions.ts";

export interface StepRunnerArgs {
  defs: Definitions;
  plan: Plan;
  runId: string;
  /** Step claims of this run, taken in batches. */
  claims: StepClaims;
  /** How many steps compute at once; a step waiting for another run's claim holds none. */
  permits: Permits;
  /** Wait for steps another live run holds even when nothing downstream needs them here. */
  waitForHeld: boolean;
  /** The latest recorded state of a step, to see whether the run we waited for materialized it. */
  latestRunOf(assetKey: string, partitionKey: string | undefined): string | undefined;
  instance: ComputeInstance;
  recorder: EventRecorder;
  /** The run's asset checks; undefined when the run evaluates none. */
  checks: RunChecks | undefined;
  /** Builds the versions each materialization records; undefined when the run records none. */
  versions: RunVersions | undefined;
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
  /** Why running steps ended by the run's abort are canceled, e.g. "run canceled". */
  canceledReason(): string;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Full text for the event log: AssetsErrors keep their context and hint. */
function errorText(err: Error): string {
  return err instanceof AssetsError ? err.describe() : err.message;
}

/**
 * Metadata goes to storage as JSON in a batch with other steps' events: a value JSON cannot
 * hold must fail this step, not the batch.
 */
function checkedMetadata<T extends { metadata: Metadata }>(assetKey: string, result: T): T {
  try {
    JSON.stringify(result.metadata);
  } catch (err) {
    throw new AssetsError(
      "INVALID_METADATA",
      `metadata of asset ${assetKey} is not JSON-serialisable: ${asError(err).message}`,
      {
        context: { asset: assetKey },
        hint: "attach only strings, numbers, booleans, null, arrays and plain objects as metadata",
        cause: err,
        userError: false,
      },
    );
  }
  return result;
}

/** Longest stretch of back-to-back steps before the event loop gets a turn. */
const EVENT_LOOP_TURN_MS = 20;

function ms(start: number): number {
  return Math.round((performance.now() - start) * 1000) / 1000;
}

/** Runs plan nodes: the executor calls `run(node)` once per node, after its upstream nodes. */
export class StepRunner {
  succeeded = 0;
  failed = 0;
  skipped = 0;
  canceled = 0;
  /** Steps whose compute declined to start (StepNotStartedError); counted in `skipped` too. */
  notStarted = 0;
  notStartedReason: string | undefined;
  /** Steps left to another live run. */
  held = 0;
  /** Steps found materialized by another run after planning: not computed again. */
  doneElsewhere = 0;
  readonly failures: StepFailure[] = [];
  private readonly heldBy = new Map<string, HeldSteps>();
  /** Why downstream nodes of a failed/skipped node cannot run; absent for nodes that completed. */
  private readonly blocked = new Map<number, string>();
  private readonly loader: InputLoader;
  private pause: Promise<void> | undefined;
  private lastTurn = performance.now();

  constructor(private readonly args: StepRunnerArgs) {
    this.loader = new InputLoader(args.defs, args.runId);
  }

  async run(node: number): Promise<void> {
    const turn = this.eventLoopTurn();
    if (turn) await turn;
    const reason = this.blockedReason(node);
    if (node >= this.args.plan.steps.length) {
      // A barrier only forwards the first reason its downstream cannot run.
      if (reason) this.blocked.set(node, reason);
      return;
    }
    const step = this.args.plan.steps[node];
    if (reason) return this.skip(node, step, reason);
    if (this.args.signal.aborted) return this.skip(node, step, this.args.notStartedReason());
    const gated = this.checkGate(node, step);
    if (gated !== undefined) return gated ? this.skip(node, step, gated) : undefined;
    const permit = this.args.permits.acquire();
    if (permit) await permit;
    let answer = await this.claimOf(node, step);
    if (answer?.kind === "held") {
      const { holder } = answer;
      if (!this.args.waitForHeld && !this.args.claims.hasDownstream(node)) {
        this.args.permits.release();
        return this.leave(node, step, holder);
      }
      // Waiting costs no permit: this run computes other steps meanwhile.
      this.args.permits.release();
      answer = await this.waitFor(node, step, holder);
      if (answer === undefined) return;
      const again = this.args.permits.acquire();
      if (again) await again;
    }
    try {
      if (answer === undefined) return;
      if (answer.kind === "materialized") return this.materializedElsewhere(node, step, answer.waitedOn);
      try {
        if (answer.kind === "claimed" && answer.waitedOn && this.doneBy(step, answer.waitedOn)) {
          return this.materializedElsewhere(node, step, answer.waitedOn);
        }
        // The run may have stopped while the claim was taken; the run's end releases the claim.
        if (this.args.signal.aborted) return this.skip(node, step, this.args.notStartedReason());
        await this.materialize(node, step);
      } finally {
        this.args.recorder.release(step.assetKey, step.partitionKey);
      }
    } finally {
      this.args.permits.release();
    }
  }

  /**
   * Why a partition this step depends on stops it (a failed blocking check); "" when the
   * gate itself failed (the step is then recorded as failed); undefined to go on.
   */
  private checkGate(node: number, step: PlannedStep): string | undefined {
    if (this.args.checks === undefined) return undefined;
    try {
      return this.args.checks.blockedReason(this.args.defs.assets.get(step.assetKey)!, step.partitionKey);
    } catch (err) {
      const log = this.args.runLog.forStep(step.assetKey, step.partitionKey);
      this.fail(node, step, asError(err), 0, log);
      return "";
    }
  }

  /** Steps left to other live runs, grouped by holder. */
  heldSteps(): HeldSteps[] {
    return [...this.heldBy.values()];
  }

  /** The step's claim, or undefined when storage failed (the run is then stopping). */
  private async claimOf(node: number, step: PlannedStep): Promise<ClaimAnswer | undefined> {
    try {
      const answer = this.args.claims.claim(node);
      return "kind" in answer ? answer : await answer;
    } catch (err) {
      this.args.stop("storage", err);
      this.skip(node, step, this.args.notStartedReason());
      return undefined;
    }
  }

  /** Waits for another run to let go of a step; undefined when the run stopped meanwhile. */
  private async waitFor(
    node: number,
    step: PlannedStep,
    holder: RunHolder,
  ): Promise<ClaimAnswer | undefined> {
    this.args.runLog
      .forStep(step.assetKey, step.partitionKey)
      .info({ holder }, "step is being materialized by another run; waiting for it");
    let answer: ClaimAnswer;
    try {
      answer = await this.args.claims.waitForRelease(node, holder, this.args.signal);
    } catch (err) {
      this.args.stop("storage", err);
      this.skip(node, step, this.args.notStartedReason());
      return undefined;
    }
    if (answer.kind === "stopped") {
      this.skip(node, step, this.args.notStartedReason());
      return undefined;
    }
    return answer;
  }

  /** Whether one of the runs this step waited for materialized it. */
  private doneBy(step: PlannedStep, holders: readonly RunHolder[]): boolean {
    const runId = this.args.latestRunOf(step.assetKey, step.partitionKey);
    return runId !== undefined && holders.some((h) => h.runId === runId);
  }

  /**
   * Steps that finish without real I/O chain through microtasks and would starve the event
   * loop: no log writes, no flush timer, no SIGINT. Every few ms all starting steps wait for
   * one shared event-loop turn.
   */
  private eventLoopTurn(): Promise<void> | undefined {
    if (this.pause) return this.pause;
    if (performance.now() - this.lastTurn < EVENT_LOOP_TURN_MS) return undefined;
    this.pause = new Promise((resolve) =>
      setImmediate(() => {
        this.pause = undefined;
        this.lastTurn = performance.now();
        resolve();
      }),
    );
    return this.pause;
  }

  private blockedReason(node: number): string | undefined {
    for (const u of this.args.plan.upstream[node]) {
      const reason = this.blocked.get(u);
      if (reason) return reason;
    }
    return undefined;
  }

  private async materialize(node: number, step: PlannedStep): Promise<void> {
    const { assetKey, partitionKey } = step;
    const asset = this.args.defs.assets.get(assetKey)!;
    const log = this.args.runLog.forStep(assetKey, partitionKey);
    const start = performance.now();
    this.args.recorder.record({ type: "step_start", assetKey, partitionKey: partitionKey ?? null });
    this.args.emit({ type: "step_start", assetKey, partitionKey });
    log.debug("step started");
    try {
      const inputs = await this.loader.load(asset, partitionKey);
      const { value, metadata } = await withRetries(
        asset.retry,
        this.args.signal,
        (attempt) => this.compute(asset, partitionKey, attempt, inputs, log),
        {
          onRetry: (err, attempt, delayMs) =>
            log.warn({ err, attempt, delay_ms: delayMs }, "attempt failed with a retryable error; retrying"),
        },
      );
      await ioManagerOf(this.args.defs, asset).handleOutput(
        { assetKey, partitionKey, runId: this.args.runId },
        value,
      );
      const versions = this.args.versions?.of(asset, partitionKey, value);
      const durationMs = ms(start);
      this.args.recorder.record({
        type: "materialization",
        assetKey,
        partitionKey: partitionKey ?? null,
        durationMs,
        metadata,
        ...(versions === undefined ? {} : { versions }),
      });
      const blockedBy = await this.args.checks?.afterMaterialization(
        asset,
        partitionKey,
        value,
        log,
        this.args.signal,
      );
      if (blockedBy !== undefined) this.blocked.set(node, blockedBy);
      this.succeeded++;
      this.args.claims.finished(node, durationMs, blockedBy === undefined);
      log.info({ duration_ms: durationMs }, "step materialized");
      this.args.emit({ type: "step_success", assetKey, partitionKey, durationMs, metadata });
    } catch (err) {
      // Work the run's own abort cut short is no failure of the step; anything else is.
      if (isAbortFrom(err, this.args.signal)) this.cancel(node, step, ms(start), log);
      else if (isNotStarted(err)) this.decline(node, step, asError(err).message, ms(start));
      else this.fail(node, step, asError(err), ms(start), log);
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
      runId: this.args.runId,
      attempt,
      config: this.args.configFor(asset),
      resources: this.args.resourcesFor(asset),
      log,
      signal: this.args.signal,
      instance: this.args.instance,
    });
    const result = await asset.compute(ctx, inputs);
    if (!isMaterializeResult(result)) return checkedMetadata(asset.key, { value: result, metadata });
    return checkedMetadata(asset.key, { value: result.value, metadata: { ...metadata, ...result.metadata } });
  }

  private fail(node: number, step: PlannedStep, error: Error, durationMs: number, log: Logger): void {
    const { assetKey, partitionKey } = step;
    this.failed++;
    this.args.claims.finished(node, durationMs, false);
    this.blocked.set(node, `upstream ${stepLabel(step)} failed`);
    // Read as a property, not via instanceof: definitions loaded with -f may bring their own copy of core.
    const rawHint = (error as { hint?: unknown }).hint;
    const hint = typeof rawHint === "string" && rawHint !== "" ? { hint: rawHint } : {};
    this.failures.push({ assetKey, partitionKey, error: error.message.split("\n")[0], ...hint });
    this.args.recorder.record({
      type: "step_failure",
      assetKey,
      partitionKey: partitionKey ?? null,
      durationMs,
      error: {
        message: errorText(error),
        stack: error.stack,
        name: error.name,
        ...hint,
        // Kept so that whoever follows the run from its events tells bad input from other failures.
        ...(isUserError(error) ? { userError: true } : {}),
      },
    });
    log.error({ err: error, duration_ms: durationMs }, "step failed");
    this.args.emit({ type: "step_failure", assetKey, partitionKey, durationMs, error });
    if (this.args.failFast) this.args.stop("fail-fast");
  }

  /**
   * Recorded as a skip (the event log has no canceled outcome), so the partition's latest
   * state keeps its previous outcome and a later `--missing` run redoes the step.
   */
  private cancel(node: number, step: PlannedStep, durationMs: number, log: Logger): void {
    const { assetKey, partitionKey } = step;
    const reason = this.args.canceledReason();
    this.canceled++;
    this.args.claims.finished(node, durationMs, false);
    this.blocked.set(node, this.args.notStartedReason());
    this.args.recorder.record({
      type: "step_skipped",
      assetKey,
      partitionKey: partitionKey ?? null,
      durationMs,
      message: reason,
    });
    log.warn({ reason, duration_ms: durationMs }, "step canceled");
    this.args.emit({ type: "step_canceled", assetKey, partitionKey, durationMs, reason });
  }

  /** The compute declined to start (StepNotStartedError): skipped with its reason, not failed. */
  private decline(node: number, step: PlannedStep, reason: string, durationMs: number): void {
    this.notStarted++;
    this.notStartedReason ??= reason;
    this.args.claims.finished(node, durationMs, false);
    this.skip(node, step, reason);
  }

  /** Another run materialized the step after this run planned it: its downstream may run. */
  private materializedElsewhere(
    node: number,
    step: PlannedStep,
    waitedOn: readonly RunHolder[] | undefined,
  ): void {
    const { assetKey, partitionKey } = step;
    this.doneElsewhere++;
    this.args.claims.finished(node, undefined, true);
    const by = waitedOn?.length ? ` by run ${waitedOn.map((h) => h.runId).join(", ")}` : " by another run";
    const reason = `already materialized${by} since this run was planned; not computed again`;
    this.args.recorder.record({
      type: "step_skipped",
      assetKey,
      partitionKey: partitionKey ?? null,
      message: reason,
    });
    this.args.runLog.forStep(assetKey, partitionKey).info({ reason }, "step materialized elsewhere");
    this.args.emit({ type: "step_done_elsewhere", assetKey, partitionKey, reason });
  }

  /** A step another live run is computing, which nothing in this run waits for: left to it. */
  private leave(node: number, step: PlannedStep, holder: RunHolder): void {
    const { assetKey, partitionKey } = step;
    this.held++;
    const entry = this.heldBy.get(holder.runId);
    if (entry) entry.steps++;
    else this.heldBy.set(holder.runId, { ...holder, steps: 1 });
    const reason = `${stepLabel(step)} is being materialized by run ${holder.runId} (host ${holder.host}, pid ${holder.pid}); left to it`;
    this.blocked.set(node, reason);
    this.args.recorder.record({
      type: "step_skipped",
      assetKey,
      partitionKey: partitionKey ?? null,
      message: reason,
    });
    this.args.runLog.forStep(assetKey, partitionKey).info({ holder }, "step held by another run; left to it");
    this.args.emit({ type: "step_held", assetKey, partitionKey, reason, holder });
  }

  private skip(node: number, step: PlannedStep, reason: string, downstreamReason = reason): void {
    const { assetKey, partitionKey } = step;
    this.skipped++;
    this.blocked.set(node, downstreamReason);
    this.args.recorder.record({
      type: "step_skipped",
      assetKey,
      partitionKey: partitionKey ?? null,
      message: reason,
    });
    this.args.runLog.forStep(assetKey, partitionKey).info({ reason }, "step skipped");
    this.args.emit({ type: "step_skipped", assetKey, partitionKey, reason });
  }
}
