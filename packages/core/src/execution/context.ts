import type { Logger } from "pino";
import type { AssetContext, ComputeInstance, Metadata } from "../definitions/types.ts";

export interface StepContextArgs {
  assetKey: string;
  partitionKey: string | undefined;
  runId: string;
  attempt: number;
  config: Record<string, unknown>;
  resources: Record<string, unknown>;
  log: Logger;
  signal: AbortSignal;
  instance: ComputeInstance;
}

/** The context of one compute attempt, and the metadata it collected via `addMetadata`. */
export function stepContext(args: StepContextArgs): { ctx: AssetContext; metadata: Metadata } {
  const metadata: Metadata = {};
  const ctx: AssetContext = {
    ...args,
    addMetadata(md: Metadata): void {
      Object.assign(metadata, md);
    },
  };
  return { ctx: Object.freeze(ctx), metadata };
}

/** Only the compute-facing methods: compute code must not reach the storage behind them. */
export function computeInstance(instance: ComputeInstance): ComputeInstance {
  const facade: ComputeInstance = {
    addDynamicPartitions: (def, keys) => instance.addDynamicPartitions(def, keys),
    openPartitionWriter: () => instance.openPartitionWriter(),
    getDynamicPartitions: (def) => instance.getDynamicPartitions(def),
    hasDynamicPartition: (def, key) => instance.hasDynamicPartition(def, key),
    countDynamicPartitions: (def) => instance.countDynamicPartitions(def),
  };
  return Object.freeze(facade);
}
