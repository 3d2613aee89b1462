/** @daydream/ui: `assets ui`, a local web UI over the engine's instance and the cohort data. */
export type { UiInstance } from "./context.ts";
export { HttpError, UiConfigError, UiDataError } from "./errors.ts";
export { isLoopbackHost } from "./http/guard.ts";
export { startUiServer, type UiServer, type UiServerOptions } from "./server.ts";
