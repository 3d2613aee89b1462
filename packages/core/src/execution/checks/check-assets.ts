import { randomUUID } from "node:crypto";
import type { AnyAssetDefinition } from "../../definitions/asset.ts";
import { validatePartitionKey } from "../../definitions/partition-key.ts";
import type { Definitions } from "../../definitions/types.ts";
import { PartitionError, SelectionError } from "../../errors.ts";
import { resolveSelection } from "../../graph/selection/resolve.ts";
import { resolveAssetsHome } from "../../instance/assets-home.ts";
import type { CheckResultRecord } from "../../instance/check-records.ts";
import { openInstance } from "../../instance/instance.ts";
import { ioManagerOf } from "../inputs.ts";
import { openRunLog } from "../logging.ts";
import { openResources } from "../resources.ts";
import type { RunInstance } from "../run-instance.ts";
import { checkResourceUser } from "./check-resources.ts";
import { evaluateChecks } from "./evaluate.ts";

export interface CheckAssetsOptions {
  /** Selection string; default `*`. Selected assets without checks are left out. */
  selection?: string;
  /**
   * Partitions of the partitioned assets to check: given keys, every registered key, or
   * (default) those with a successful materialization recorded.
   */
  partitions?: { keys: string[] } | "all" | "materialized";
  /** Default: the instance at $ASSETS_HOME, else `.assets` in the current directory. */
  instance?: RunInstance;
  /** Checks running at once (default 8). */
  concurrency?: number;
  signal?: AbortSignal;
}

export interface CheckAssetsSummary {
  /** Assets whose checks ran, in dependency order. */
  assets: string[];
  /** Every result recorded, in the order evaluated. */
  results: CheckResultRecord[];
  passed: number;
  warned: number;
  failed: number;
  /** The JSON-lines log the checks wrote to. */
  logPath: string;
}

const DEFAULT_CONCURRENCY = 8;

/**
 * Runs the checks of the selected assets on demand (no materialization) and records their
 * results, as `assets check` does.
 */
export async function checkAssets(
  defs: Definitions,
  opts: CheckAssetsOptions = {},
): Promise<CheckAssetsSummary> {
  if (opts.instance !== undefined) return checkIn(defs, { ...opts, instance: opts.instance });
  const instance = openInstance(resolveAssetsHome(process.cwd()));
  try {
    return await checkIn(defs, { ...opts, instance });
  } finally {
    instance.close();
  }
}

function targetKeys(
  instance: RunInstance,
  asset: AnyAssetDefinition,
  partitions: CheckAssetsOptions["partitions"],
): Array<string | undefined> {
  const name = asset.partitions?.name;
  if (name === undefined) return [undefined];
  if (partitions === "all") return instance.storage.getDynamicPartitions(name);
  if (typeof partitions === "object") {
    for (const key of partitions.keys) validatePartitionKey(key);
    return partitions.keys;
  }
  const materialized = instance.storage.materializedPartitionKeys(asset.key);
  return instance.storage.getDynamicPartitions(name).filter((k) => materialized.has(k));
}

async function checkIn(
  defs: Definitions,
  opts: CheckAssetsOptions & { instance: RunInstance },
): Promise<CheckAssetsSummary> {
  const selection = opts.selection ?? "*";
  const selected = resolveSelection(defs, selection);
  const assets = selected
    .filter((k) => (defs.checks?.get(k)?.length ?? 0) > 0)
    .map((k) => defs.assets.get(k)!);
  if (assets.length === 0) {
    throw new SelectionError("NO_CHECKS", `no asset selected by ${JSON.stringify(selection)} has checks`, {
      context: { selection },
      hint: "`assets show KEY` lists an asset's checks; select assets that have some",
    });
  }
  if (typeof opts.partitions === "object" && assets.every((a) => a.partitions === undefined)) {
    throw new PartitionError(
      "NOT_PARTITIONED",
      "partitions were given but no selected asset with checks is partitioned",
      {
        context: { asset: assets[0].key },
        hint: "drop --partition/--partitions/--all-partitions, or select a partitioned asset",
      },
    );
  }
  const checks = assets.flatMap((a) => defs.checks!.get(a.key)!);
  const resources = await openResources(defs, checks.map(checkResourceUser));
  const logPath = opts.instance.logPathFor(`checks-${randomUUID()}`);
  const runLog = await openRunLog(logPath, "checks");
  const signal = opts.signal ?? new AbortController().signal;
  const results: CheckResultRecord[] = [];
  try {
    for (const asset of assets) {
      const keys = targetKeys(opts.instance, asset, opts.partitions);
      const io = ioManagerOf(defs, asset);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < keys.length && !signal.aborted) {
          const partitionKey = keys[next++];
          const found = await evaluateChecks(defs.checks!.get(asset.key)!, {
            assetKey: asset.key,
            partitionKey,
            runId: undefined,
            log: runLog.forStep(asset.key, partitionKey),
            signal,
            resourcesFor: (check) => resources.forAsset(checkResourceUser(check)),
            loadValue: async () => io.loadInput({ assetKey: asset.key, partitionKey, runId: "checks" }),
          });
          results.push(...found);
        }
      };
      await Promise.all(Array.from({ length: opts.concurrency ?? DEFAULT_CONCURRENCY }, worker));
    }
    opts.instance.storage.recordCheckResults(results);
  } finally {
    await resources.dispose();
    await runLog.close();
  }
  const failed = results.filter((r) => !r.passed);
  return {
    assets: assets.map((a) => a.key),
    results,
    passed: results.length - failed.length,
    warned: failed.filter((r) => r.severity === "warn").length,
    failed: failed.filter((r) => r.severity === "error").length,
    logPath,
  };
}
