import type { DynamicPartitionsDefinition } from "./types.ts";

/**
 * A partitions definition whose keys are registered at run time and stored in the instance.
 * `describe` tells what is known of a key outside the instance (see `assets lineage`).
 */
export function dynamicPartitions(
  name: string,
  opts: Pick<DynamicPartitionsDefinition, "describe"> = {},
): DynamicPartitionsDefinition {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new TypeError(`dynamic partitions name "${name}" must be an identifier ([A-Za-z_][A-Za-z0-9_]*)`);
  }
  if (opts.describe !== undefined && typeof opts.describe !== "function") {
    throw new TypeError(`dynamic partitions "${name}": describe must be a function returning the lookup`);
  }
  return Object.freeze({ kind: "dynamic", name, ...(opts.describe ? { describe: opts.describe } : {}) });
}

export function partitionsName(def: DynamicPartitionsDefinition | string): string {
  return typeof def === "string" ? def : def.name;
}
