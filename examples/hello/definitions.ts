/**
 * A tiny pipeline showing the engine on its own:
 *   numbers  (unpartitioned) registers the keys "1".."N" as dynamic partitions
 *   squared  (partitioned by those keys) squares one number per partition
 *   total    (unpartitioned) waits for every squared partition (a barrier) and sums them
 * Values are JSON files, so each step can run in its own `assets materialize` process.
 */
import path from "node:path";
import {
  asset,
  type ConfigSchema,
  defineDefinitions,
  dynamicPartitions,
  jsonIOManager,
  resolveAssetsHome,
  withMetadata,
} from "@daydream/core";

export const numberPartitions = dynamicPartitions("numbers");

interface NumbersConfig {
  count: number;
}

const numbersConfig: ConfigSchema<NumbersConfig> = {
  parse(input) {
    const count = (input as { count?: unknown }).count ?? 5;
    if (!Number.isInteger(count) || (count as number) < 1)
      throw new Error(`count must be an integer >= 1, got ${count}`);
    return { count: count as number };
  },
};

export function helloDefinitions(opts: { dataDir: string }) {
  const files = jsonIOManager({ dir: opts.dataDir });

  const numbers = asset<NumbersConfig>({
    key: "numbers",
    group: "hello",
    description: "The numbers 1..count; each becomes a partition of `numbers`.",
    io: "files",
    configSchema: numbersConfig,
    compute: (ctx) => {
      const values = Array.from({ length: ctx.config.count }, (_, i) => i + 1);
      const added = ctx.instance.addDynamicPartitions(numberPartitions, values.map(String));
      return withMetadata(values, { count: values.length, new_partitions: added });
    },
  });

  const squared = asset({
    key: "squared",
    group: "hello",
    description: "The square of one number (one partition per number).",
    partitions: numberPartitions,
    io: "files",
    compute: (ctx) => Number(ctx.partitionKey) ** 2,
  });

  const total = asset({
    key: "total",
    group: "hello",
    description: "Sum of the squares of all numbers.",
    ins: { numbers: {} },
    // Ordering only: a partitioned asset cannot be an input of an unpartitioned one.
    deps: ["squared"],
    io: "files",
    compute: async (ctx, inputs) => {
      const values = inputs.numbers as number[];
      let sum = 0;
      for (const n of values) {
        sum += (await files.loadInput({
          assetKey: "squared",
          partitionKey: String(n),
          runId: ctx.runId,
        })) as number;
      }
      ctx.log.info({ sum }, "summed the squares");
      return withMetadata(sum, { terms: values.length });
    },
  });

  return defineDefinitions({ assets: [numbers, squared, total], ioManagers: { files } });
}

export default helloDefinitions({
  dataDir: process.env.HELLO_DATA_DIR ?? path.join(resolveAssetsHome(process.cwd()), "hello-data"),
});
