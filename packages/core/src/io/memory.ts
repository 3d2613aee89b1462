import type { InputContext, IOManager, OutputContext } from "../definitions/types.ts";
import { InputLoadError } from "../errors.ts";

function slot(assetKey: string, partitionKey: string | undefined): string {
  // NUL cannot appear in asset or partition keys, so the pair maps to one slot unambiguously.
  return partitionKey === undefined ? assetKey : `${assetKey}\u0000${partitionKey}`;
}

/** Keeps values in this process only: good for tests and for values consumed within one run. */
export function memoryIOManager(): IOManager {
  const values = new Map<string, unknown>();
  return {
    handleOutput(ctx: OutputContext, value: unknown): void {
      values.set(slot(ctx.assetKey, ctx.partitionKey), value);
    },
    loadInput(ctx: InputContext): unknown {
      const key = slot(ctx.assetKey, ctx.partitionKey);
      if (!values.has(key)) {
        const where = ctx.partitionKey === undefined ? "" : ` partition "${ctx.partitionKey}"`;
        throw new InputLoadError("VALUE_NOT_FOUND", `no value of asset "${ctx.assetKey}"${where} in memory`, {
          context: { asset: ctx.assetKey, partition: ctx.partitionKey },
          hint: `the memory IO manager keeps values only within one process; materialize ${ctx.assetKey} in the same run, or give it a file IO manager (io: "json")`,
        });
      }
      return values.get(key);
    },
  };
}
