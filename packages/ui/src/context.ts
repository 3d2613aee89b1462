/** What every API handler works with: the definitions, the instance, paths and the run launcher. */
import type { Definitions, InspectionCache, RunInstance, Storage } from "@daydream/core";
import type { RunLauncher } from "./runs/launcher.ts";
import type { SelectionCache } from "./selection-cache.ts";

/** The instance as `materialize` takes it (`openInstance(home)` gives one): storage, log paths, partitions. */
export type UiInstance = RunInstance;

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
  /** Instance reads behind statuses and staleness, kept between requests while the states hold. */
  inspections: InspectionCache;
}
