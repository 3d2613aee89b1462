import type { RunStatus } from "./types.ts";

// A record, not a list, so that the compiler rejects it when RunStatus gains a status missing here.
const STATUSES: Record<RunStatus, true> = {
  queued: true,
  started: true,
  succeeded: true,
  failed: true,
  canceled: true,
  interrupted: true,
};

/** Every run status, in lifecycle order: for validating a status given by a user and listing the choices. */
export const RUN_STATUSES: readonly RunStatus[] = Object.freeze(Object.keys(STATUSES) as RunStatus[]);
