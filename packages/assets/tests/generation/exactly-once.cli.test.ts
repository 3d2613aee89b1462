/** The exactly-once scenarios on the embedded default storage: SQLite in each project's home. */
import { openInstance } from "@daydream/core";
import { exactlyOnceScenarios } from "./helpers/exactly-once-scenarios.ts";

exactlyOnceScenarios({
  storageEnv: async () => ({ ASSETS_STORAGE: "sqlite" }),
  open: (project) => openInstance(project.home),
  copiesInstance: true,
  release: async () => {},
});
