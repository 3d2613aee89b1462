import { StorageError } from "../../errors.ts";
import type { RunStatus } from "../types.ts";

/**
 * What every Storage implementation shares about semaphore slots: the argument checks and errors,
 * so that a bad call fails the same way whichever backend the instance uses, and how many slots
 * a request gets.
 */

export function assertSlotRequest(name: string, limit: number, count: number): void {
  if (typeof name !== "string" || name.length === 0) {
    throw new StorageError("invalid_semaphore", "a semaphore needs a non-empty name", {
      userError: false,
      hint: 'name it after what it limits, e.g. "llm:vendor/model"',
    });
  }
  assertWhole(limit, "limit", name);
  assertWhole(count, "count", name);
}

export function assertSlotRelease(name: string, count: number | undefined): void {
  if (count !== undefined) assertWhole(count, "count", name);
}

function assertWhole(value: number, what: "limit" | "count", name: string): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new StorageError(
      "invalid_semaphore",
      `semaphore ${JSON.stringify(name)}: ${what} must be an integer >= 1 (got ${value})`,
      {
        userError: false,
        context: { semaphore: name, [what]: String(value) },
        hint: `pass a whole ${what} >= 1`,
      },
    );
  }
}

/** Slots a request of `count` gets when `held` of `limit` are taken: never more than free. */
export function slotsToTake(held: number, limit: number, count: number): number {
  return Math.max(0, Math.min(count, limit - held));
}

/**
 * Why a run may not take slots, or undefined when it may: it must exist, be unfinished and have a
 * lease (a slot is live only while its run's lease is, like a claim).
 */
export function slotRunProblem(
  runId: string,
  name: string,
  run: { status: RunStatus; lease_expires_at: number | null } | undefined,
): StorageError | undefined {
  if (run !== undefined && (run.status === "queued" || run.status === "started")) {
    return run.lease_expires_at === null ? leaselessRunError(runId, name) : undefined;
  }
  return slotRunError(runId, name, run?.status);
}

function leaselessRunError(runId: string, name: string): StorageError {
  return new StorageError(
    "run_without_lease",
    `cannot take a slot of semaphore ${JSON.stringify(name)}: run ${runId} has no lease`,
    {
      userError: false,
      context: { semaphore: name, runId },
      hint: "take slots under the run that holds the step's claims (the worker's own run)",
    },
  );
}

/** The run asking for slots does not exist, or has ended (a run marked interrupted lost its lease). */
function slotRunError(runId: string, name: string, status: RunStatus | undefined): StorageError {
  if (status === undefined) {
    return new StorageError(
      "unknown_run",
      `cannot take a slot of semaphore ${JSON.stringify(name)}: run ${runId} does not exist`,
      {
        userError: false,
        context: { semaphore: name, runId },
        hint: "create the run with createRun before taking slots for it",
      },
    );
  }
  return new StorageError(
    "run_finished",
    `cannot take a slot of semaphore ${JSON.stringify(name)}: run ${runId} is ${status}`,
    {
      userError: false,
      context: { semaphore: name, runId, status },
      hint:
        status === "interrupted"
          ? "the run lost its lease (another process found it silent); rerun with --missing"
          : "only a queued or started run holds slots",
    },
  );
}
