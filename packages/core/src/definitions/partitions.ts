import type { DynamicPartitionsDefinition } from "./types.ts";

/** A partitions definition whose keys are registered at run time and stored in the instance. */
export function dynamicPartitions(name: string): DynamicPartitionsDefinition {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new TypeError(`dynamic partitions name "${name}" must be an identifier ([A-Za-z_][A-Za-z0-9_]*)`);
  }
  return Object.freeze({ kind: "dynamic", name });
}

export function partitionsName(def: DynamicPartitionsDefinition | string): string {
  return typeof def === "string" ? def : def.name;
}
