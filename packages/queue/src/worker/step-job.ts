import type { Definitions, Instance, RunConfig, RunProgressEvent, RunSummary } from "@daydream/core";
import {
  type AssetGraph,
  buildPlan,
  checkResourceUser,
  type EventRecorder,
  executePlan,
  type PartitionLookups,
  parseRunConfig,
  type RunLog,
  type RunResources,
} from "@daydream/core/executor";
import type { OpenStep } from "../steps/step-rows.ts";

/** What a worker shares between the steps it runs: definitions, resources, lookups. */
export interface StepContext {
  defs: Definitions;
  graph: AssetGraph;
  instance: Instance;
  resources: RunResources;
  lookups: PartitionLookups;
  /** The worker's own run: it holds the claims of the steps it computes. */
  workerRun: string;
  runLogOf(runId: string): Promise<RunLog>;
  /** One recorder per queued run, shared by the worker's steps of that run (batched writes). */
  recorderOf(runId: string): EventRecorder;
  onProgress?(event: RunProgressEvent): void;
}

const configs = new WeakMap<StepContext, Map<string, Map<string, Record<string, unknown>>>>();

/** The run config of a queued run, parsed once per worker. */
function configOf(ctx: StepContext, step: OpenStep): Map<string, Record<string, unknown>> {
  let byRun = configs.get(ctx);
  if (!byRun) {
    byRun = new Map();
    configs.set(ctx, byRun);
  }
  let parsed = byRun.get(step.run);
  if (!parsed) {
    const runConfig = step.runConfig === null ? undefined : (JSON.parse(step.runConfig) as RunConfig);
    parsed = parseRunConfig(ctx.defs, [ctx.graph.get(step.assetKey)], runConfig);
    byRun.set(step.run, parsed);
  }
  return parsed;
}

/**
 * Computes one step of a queued run exactly as the in-process executor would (claim, re-check,
 * IO managers, resources, retries, checks, versions, events), as a part of that run: events go
 * to the queued run, the claim is held by the worker's run.
 */
export async function runStep(ctx: StepContext, step: OpenStep, signal: AbortSignal): Promise<RunSummary> {
  const asset = ctx.graph.get(step.assetKey);
  const partition = asset.partitions === undefined ? undefined : step.partitionKey;
  const plan = buildPlan(ctx.graph, [step.assetKey], new Map([[step.assetKey, [partition]]]), ctx.lookups);
  const config = configOf(ctx, step);
  return executePlan({
    defs: ctx.defs,
    plan,
    lookups: ctx.lookups,
    instance: ctx.instance,
    selection: step.assetKey,
    partitionsSummary: partition ?? "",
    configFor: (a) => config.get(a.key) ?? {},
    resourcesFor: ctx.resources.forAsset,
    checks: {
      enabled: step.checks,
      resourcesFor: (check) => ctx.resources.forAsset(checkResourceUser(check)),
    },
    concurrency: 1,
    recheck: step.recheck,
    signal,
    onProgress: ctx.onProgress,
    attach: {
      runId: step.run,
      claimsRunId: ctx.workerRun,
      runLog: await ctx.runLogOf(step.run),
      recorder: ctx.recorderOf(step.run),
    },
  });
}
