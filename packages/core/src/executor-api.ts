/**
 * `@daydream/core/executor`: the engine's planner and step executor, for executors that run a
 * plan outside `materialize` (the queue executor in @daydream/queue). Loading it loads the
 * executor, so commands that never run steps import only `@daydream/core`.
 */

export { checkResourceUser } from "./execution/checks/check-resources.ts";
export { parseRunConfig } from "./execution/config.ts";
export { EventRecorder } from "./execution/events/recorder.ts";
export { DEFAULT_CONCURRENCY, type ExecuteArgs, executePlan } from "./execution/executor.ts";
export { openRunLog, type RunLog } from "./execution/logging.ts";
export { type PreparedRun, prepareRun } from "./execution/materialize.ts";
export { PartitionLookups } from "./execution/partition-lookups.ts";
export { buildPlan, type Plan, type PlannedStep, stepLabel } from "./execution/plan.ts";
export { openResources, type RunResources } from "./execution/resources.ts";
export { AssetGraph } from "./graph/asset-graph.ts";
