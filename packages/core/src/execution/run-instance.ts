import type { ComputeInstance } from "../definitions/types.ts";
import type { Storage } from "../instance/types.ts";

/** What a run needs from an instance: storage, the log location, and the compute-facing API. */
export interface RunInstance extends ComputeInstance {
  readonly storage: Storage;
  logPathFor(runId: string): string;
}
