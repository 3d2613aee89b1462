import type { Definitions } from "../definitions/types.ts";
import type { MaterializeOptions } from "./materialize.ts";
import type { RunSummary } from "./types.ts";

/**
 * `materialize`, with the executor (planner, step runner, p-graph, pino) loaded on the first
 * call: loading definitions and opening the instance, all that commands like `list` need,
 * start faster without it.
 */
export async function materialize(defs: Definitions, opts?: MaterializeOptions): Promise<RunSummary> {
  const executor = await import("./materialize.ts");
  return executor.materialize(defs, opts);
}
