import type { LevelWithSilent } from "pino";
import type { Definitions } from "../definitions/types.ts";
import { AssetsError, SelectionError } from "../errors.ts";
import { AssetGraph } from "../graph/asset-graph.ts";
import { resolveSelection } from "../graph/selection/resolve.ts";
import { resolveAssetsHome } from "../instance/assets-home.ts";
import { openInstance } from "../instance/instance.ts";
import { parseRunConfig, type RunConfig } from "./config.ts";
import { DEFAULT_CONCURRENCY, executePlan } from "./executor.ts";
import { describeSelector, partitionTargets } from "./partitions.ts";
import { buildPlan } from "./plan.ts";
import { openResources } from "./resources.ts";
import type { RunInstance } from "./run-instance.ts";
import type { PartitionsSelector, RunProgressEvent, RunSummary } from "./types.ts";

export interface MaterializeOptions {
  /** Selection string (`a,b`, `group:x`, `+key`, `key:"x*"`...); default `*` (everything). */
  selection?: string;
  /** Required when a selected asset is partitioned. */
  partitions?: PartitionsSelector;
  /** Steps running at once (default 8). */
  concurrency?: number;
  /** Abort to cancel the run: running steps see it, pending steps are not started. */
  signal?: AbortSignal;
  /**
   * Where runs, events, claims and logs are recorded (`openInstance(home)`). Default: the
   * instance at $ASSETS_HOME, else `.assets` in the current directory, opened for this run.
   */
  instance?: RunInstance;
  runConfig?: RunConfig;
  /** Stop starting steps after the first failure. */
  failFast?: boolean;
  onProgress?: (event: RunProgressEvent) => void;
  /** Level of the per-run log file (default "info"). */
  logLevel?: LevelWithSilent;
}

function checkOptions(opts: MaterializeOptions & { instance: RunInstance }): void {
  if (!opts.instance?.storage) {
    throw new AssetsError("NO_INSTANCE", "materialize() needs an instance to record the run", {
      hint: "pass { instance: openInstance(home) }, or leave instance out to use $ASSETS_HOME",
    });
  }
  const c = opts.concurrency;
  if (c !== undefined && !(Number.isInteger(c) && c >= 1)) {
    throw new AssetsError("INVALID_CONCURRENCY", `concurrency must be an integer >= 1 (got ${c})`, {
      hint: `e.g. --concurrency ${DEFAULT_CONCURRENCY}`,
    });
  }
}

/**
 * Materializes the selected assets x partitions as one run: resolve the selection, parse run
 * config, create resources, plan steps, execute them, dispose resources. User mistakes
 * (selection, partitions, config) throw before any run is recorded.
 */
export async function materialize(defs: Definitions, opts: MaterializeOptions = {}): Promise<RunSummary> {
  if (opts.instance !== undefined) return materializeIn(defs, { ...opts, instance: opts.instance });
  const instance = openInstance(resolveAssetsHome(process.cwd()));
  try {
    return await materializeIn(defs, { ...opts, instance });
  } finally {
    instance.close();
  }
}

async function materializeIn(
  defs: Definitions,
  opts: MaterializeOptions & { instance: RunInstance },
): Promise<RunSummary> {
  checkOptions(opts);
  const selection = opts.selection ?? "*";
  const graph = AssetGraph.of(defs);
  const keys = resolveSelection(defs, selection);
  if (keys.length === 0) {
    throw new SelectionError("EMPTY_SELECTION", `selection ${JSON.stringify(selection)} matches no assets`, {
      context: { selection },
      hint: "`assets list` shows the asset keys, groups, tags and kinds you can select",
    });
  }
  const assets = keys.map((k) => graph.get(k));
  const configs = parseRunConfig(defs, assets, opts.runConfig);
  const resources = await openResources(defs, assets);
  try {
    const targets = await partitionTargets({
      assets,
      selector: opts.partitions,
      storage: opts.instance.storage,
      resourcesFor: resources.forAsset,
    });
    return await executePlan({
      defs,
      plan: buildPlan(graph, keys, targets),
      instance: opts.instance,
      selection,
      partitionsSummary: describeSelector(opts.partitions),
      configFor: (asset) => configs.get(asset.key) ?? {},
      resourcesFor: resources.forAsset,
      concurrency: opts.concurrency,
      failFast: opts.failFast,
      signal: opts.signal,
      onProgress: opts.onProgress,
      logLevel: opts.logLevel,
    });
  } finally {
    await resources.dispose();
  }
}
