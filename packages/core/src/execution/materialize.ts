import type { LevelWithSilent } from "pino";
import { validatePartitionKeys } from "../definitions/partition-key.ts";
import type { Definitions } from "../definitions/types.ts";
import { AssetsError, SelectionError } from "../errors.ts";
import { AssetGraph } from "../graph/asset-graph.ts";
import { resolveSelection } from "../graph/selection/resolve.ts";
import { resolveAssetsHome } from "../instance/assets-home.ts";
import { openInstance } from "../instance/instance.ts";
import { type LeaseSettings, leaseSettings } from "../instance/leases.ts";
import { checkResourceUser } from "./checks/check-resources.ts";
import { RunClusterSlots } from "./cluster-slots.ts";
import { parseRunConfig, type RunConfig } from "./config.ts";
import { DEFAULT_CONCURRENCY, type ExecuteArgs, executePlan } from "./executor.ts";
import { missingUpstreamTargets } from "./missing-upstream.ts";
import { PartitionLookups } from "./partition-lookups.ts";
import { describeSelector, partitionTargets } from "./partitions.ts";
import { buildPlan } from "./plan.ts";
import { openResources, type ResourceRunInfo } from "./resources.ts";
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
  /**
   * Steps another live run is materializing are left to it unless something in this run needs
   * them (then the step waits). With this, the run waits for all of them: done by the holder,
   * nothing to do; holder died, the run takes the step over.
   */
  waitForHeld?: boolean;
  /**
   * Evaluate asset checks after each materialization, and skip the downstream steps of
   * partitions failing a blocking check (default true).
   */
  checks?: boolean;
  /** Record code and data versions with each materialization, for `stale` (default true). */
  recordVersions?: boolean;
  /** Heartbeat interval and lease of the run; default from ASSETS_HEARTBEAT_SECONDS / ASSETS_LEASE_SECONDS (5 s / 30 s). */
  lease?: Partial<LeaseSettings>;
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

/** What resource factories learn of the run; their notices and status go to `onProgress`. */
function resourceRunInfo(opts: MaterializeOptions): ResourceRunInfo {
  return {
    concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY,
    emit(event) {
      try {
        opts.onProgress?.(event);
      } catch (err) {
        // Like the executor's own events: a throwing front end must not fail the run.
        process.emitWarning(
          `onProgress threw on a ${event.type} event: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    },
  };
}

async function materializeIn(
  defs: Definitions,
  opts: MaterializeOptions & { instance: RunInstance },
): Promise<RunSummary> {
  const prepared = await prepareRun(defs, opts);
  try {
    return await executePlan({
      ...prepared.executeArgs,
      concurrency: opts.concurrency,
      failFast: opts.failFast,
      waitForHeld: opts.waitForHeld,
      lease: opts.lease,
      signal: opts.signal,
      onProgress: opts.onProgress,
      logLevel: opts.logLevel,
    });
  } finally {
    await prepared.dispose();
  }
}

/** A planned run with its resources open: what an executor needs to run it, in process or not. */
export interface PreparedRun {
  /** The plan, definitions, config and resources, ready for `executePlan`. */
  executeArgs: Omit<
    ExecuteArgs,
    "concurrency" | "failFast" | "waitForHeld" | "lease" | "signal" | "onProgress"
  >;
  /** Disposes the resources opened for planning and running. */
  dispose(): Promise<void>;
}

/**
 * Resolves the selection, parses run config, opens resources and plans the steps, recording
 * nothing: user mistakes (selection, partitions, config) throw here, before any run exists.
 */
export async function prepareRun(
  defs: Definitions,
  opts: MaterializeOptions & { instance: RunInstance },
): Promise<PreparedRun> {
  checkOptions(opts);
  // Bad lease settings are a usage error: refuse them before planning anything.
  leaseSettings(opts.lease);
  const selection = opts.selection ?? "*";
  const graph = AssetGraph.of(defs);
  const selected = resolveSelection(defs, selection);
  if (selected.length === 0) {
    throw new SelectionError("EMPTY_SELECTION", `selection ${JSON.stringify(selection)} matches no assets`, {
      context: { selection },
      hint: "`assets list` shows the asset keys, groups, tags and kinds you can select",
    });
  }
  const lookups = new PartitionLookups();
  // A missing run also makes the missing upstream partitions its missing steps read; explicit
  // keys, the missing upstream partitions they read (through partition mappings too).
  const given = typeof opts.partitions === "object" ? opts.partitions?.keys : undefined;
  // A malformed key list is left for partitionTargets to refuse with its own message.
  const explicit = Array.isArray(given) && given.length > 0 ? validatePartitionKeys(given) : undefined;
  const upstream =
    opts.partitions === "missing" || opts.partitions === "missing-or-stale" || explicit !== undefined
      ? await missingUpstreamTargets(defs, graph, selected, opts.instance.storage, lookups, explicit)
      : new Map<string, string[]>();
  const keys = graph.sortTopologically([...selected, ...upstream.keys()]);
  const assets = keys.map((k) => graph.get(k));
  const configs = parseRunConfig(defs, assets, opts.runConfig);
  const checks = opts.checks === false ? [] : assets.flatMap((a) => defs.checks?.get(a.key) ?? []);
  const clusterSlots = new RunClusterSlots(opts.instance.storage);
  const resources = await openResources(defs, [...assets, ...checks.map(checkResourceUser)], {
    ...resourceRunInfo(opts),
    clusterSlots,
  });
  try {
    const targets = await partitionTargets({
      assets: selected.map((k) => graph.get(k)),
      selector: opts.partitions,
      storage: opts.instance.storage,
      defs,
      graph,
      lookups,
      resourcesFor: resources.forAsset,
    });
    for (const [key, partitions] of upstream) {
      targets.set(key, graph.get(key).partitions === undefined ? [undefined] : partitions);
    }
    return {
      executeArgs: {
        defs,
        plan: buildPlan(graph, keys, targets, lookups),
        lookups,
        recordVersions: opts.recordVersions,
        checks: {
          enabled: opts.checks !== false,
          resourcesFor: (check) => resources.forAsset(checkResourceUser(check)),
        },
        instance: opts.instance,
        selection,
        partitionsSummary: describeSelector(opts.partitions),
        configFor: (asset) => configs.get(asset.key) ?? {},
        resourcesFor: resources.forAsset,
        recheck: opts.partitions === "missing",
        logLevel: opts.logLevel,
        clusterSlots,
      },
      dispose: () => resources.dispose(),
    };
  } catch (err) {
    await resources.dispose();
    throw err;
  }
}
