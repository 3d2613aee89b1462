import { StorageError } from "../../errors.ts";
import { DEFAULT_LEASE } from "../leases.ts";
import type { RunRecord, RunStatus } from "../types.ts";
import { assertRunStatus, FINISHED_RUN_STATUSES } from "./validation.ts";

export type NewRun = Omit<RunRecord, "createdAt" | "startedAt" | "endedAt" | "leaseExpiresAt"> & {
  /**
   * The lease from now; null: a run without a lease, which holds no claims itself and is never
   * judged dead (a queued run, whose steps workers claim under their own runs; its executor ends it).
   */
  leaseMs?: number | null;
};
export type RunPatch = Partial<Pick<RunRecord, "status" | "startedAt" | "endedAt" | "stepCount" | "tags">>;

/** Run fields a patch may change, with their column names (the same in every backend). */
export const RUN_PATCH_COLUMNS = {
  status: "status",
  startedAt: "started_at",
  endedAt: "ended_at",
  stepCount: "step_count",
  tags: "tags",
} as const;

/**
 * The record a new run is stored as: createdAt is now, startedAt too when it is created
 * `started`; an unfinished run's lease runs `leaseMs` from `storageNowMs` (the storage's clock).
 */
export function buildRunRecord(run: NewRun, storageNowMs: number): RunRecord {
  assertRunStatus(run.status);
  if (typeof run.runId !== "string" || run.runId.length === 0) {
    throw new StorageError("invalid_run", "a run needs a non-empty runId", {
      userError: false,
      hint: "generate run ids with crypto.randomUUID()",
    });
  }
  const now = new Date().toISOString();
  const { leaseMs = DEFAULT_LEASE.leaseMs, ...fields } = run;
  const finished = FINISHED_RUN_STATUSES.has(run.status);
  return {
    ...fields,
    tags: { ...run.tags },
    createdAt: now,
    startedAt: run.status === "started" ? now : null,
    endedAt: finished ? now : null,
    leaseExpiresAt: finished || leaseMs === null ? null : storageNowMs + leaseMs,
  };
}

/**
 * The column values a patch sets, keyed by field and sorted by name (tags as JSON). Moving to
 * `started` fills startedAt and moving to a finished status fills endedAt unless the patch gives them.
 */
export function runPatchValues(patch: RunPatch): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of Object.keys(patch) as (keyof RunPatch)[]) {
    if (!(field in RUN_PATCH_COLUMNS))
      throw new StorageError("invalid_run_patch", `cannot update run field ${field}`, {
        userError: false,
        hint: `patch only ${Object.keys(RUN_PATCH_COLUMNS).join(", ")}`,
      });
    if (patch[field] !== undefined) values[field] = patch[field];
  }
  if (values.status !== undefined) {
    const status = values.status as RunStatus;
    assertRunStatus(status);
    const now = new Date().toISOString();
    if (status === "started" && values.startedAt === undefined) values.startedAt = now;
    if (FINISHED_RUN_STATUSES.has(status) && values.endedAt === undefined) values.endedAt = now;
  }
  if (values.tags !== undefined) values.tags = JSON.stringify(values.tags);
  return Object.fromEntries(
    Object.keys(values)
      .sort()
      .map((k) => [k, values[k]]),
  );
}

export function unknownRunError(runId: string, action: string): StorageError {
  return new StorageError("unknown_run", `cannot ${action} ${runId}: no such run`, {
    userError: false,
    context: { runId },
    hint: "create the run with createRun first",
  });
}

export function duplicateRunError(runId: string, cause: unknown): StorageError {
  return new StorageError("duplicate_run", `run ${runId} already exists`, {
    cause,
    userError: false,
    context: { runId },
    hint: "use a fresh run id for every run",
  });
}
