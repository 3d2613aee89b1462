/**
 * Definitions for bench/queue-executor.bench.ts: one trivial asset over the dynamic partitions
 * "items" (memory IO, nothing downstream), so that a step costs only what the executor adds.
 */
import { asset, defineDefinitions, dynamicPartitions } from "../packages/core/src/index.ts";

export const items = dynamicPartitions("items");

export default defineDefinitions({
  assets: [asset({ key: "trivial", partitions: items, compute: (ctx) => ctx.partitionKey!.length })],
});
