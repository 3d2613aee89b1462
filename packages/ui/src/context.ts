/** What every API handler works with: the definitions, the instance, paths and the run launcher. */
import type { Definitions, materialize, Storage } from "@daydream/core";
import type { RunLauncher } from "./runs/launcher.ts";
import type { SelectionCache } from "./selection-cache.ts";

/** The instance as `materialize` takes it; the UI also reads its storage and log paths. */
export type UiInstance = NonNullable<Parameters<typeof materialize>[1]["instance"]> & {
  readonly storage: Storage;
  logPathFor(runId: string): string;
};

export interface UiContext {
  definitions: Definitions;
  /** Absolute path of the definitions module, when it was loaded from a file. */
  definitionsFile: string | undefined;
  instance: UiInstance;
  storage: Storage;
  projectRoot: string;
  /** Root of the DayDreaming data tree (cohorts/, gens/). */
  dataRoot: string;
  launcher: RunLauncher;
  selections: SelectionCache;
}
