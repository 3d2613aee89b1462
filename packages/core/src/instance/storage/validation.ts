import { PartitionError, StorageError } from "../../errors.ts";
import { RUN_STATUSES } from "../run-statuses.ts";
import type { EventRecord, EventType, RunStatus } from "../types.ts";

/**
 * Input checks every Storage implementation applies the same way, so that a bad call fails with
 * the same error whichever backend the instance uses.
 */

export const FINISHED_RUN_STATUSES: ReadonlySet<RunStatus> = new Set([
  "succeeded",
  "failed",
  "canceled",
  "interrupted",
]);

export const EVENT_TYPES: ReadonlySet<string> = new Set<EventType>([
  "run_start",
  "step_start",
  "materialization",
  "step_failure",
  "step_skipped",
  "run_end",
]);

const PARTITIONS_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function assertRunStatus(status: string): asserts status is RunStatus {
  if (!RUN_STATUSES.includes(status as RunStatus)) {
    throw new StorageError("invalid_run_status", `unknown run status "${status}"`, {
      userError: false,
      hint: `use one of ${RUN_STATUSES.join(", ")}`,
    });
  }
}

export function assertEventType(type: string): void {
  if (!EVENT_TYPES.has(type)) {
    throw new StorageError("invalid_event", `unknown event type "${type}"`, {
      userError: false,
      hint: `use one of ${[...EVENT_TYPES].join(", ")}`,
    });
  }
}

export function assertValidEvent(event: EventRecord, index: number): void {
  assertEventType(event.type);
  if ((event.type === "materialization" || event.type === "step_failure") && !event.assetKey) {
    throw new StorageError("invalid_event", `event ${index} (${event.type}) has no assetKey`, {
      userError: false,
      context: { runId: event.runId, index },
      hint: "materialization and step_failure events must name their asset",
    });
  }
}

export function assertPartitionsName(name: string): void {
  if (typeof name !== "string" || !PARTITIONS_NAME.test(name)) {
    throw new PartitionError(
      "invalid_partitions_name",
      `dynamic partitions name ${JSON.stringify(name)} is not an identifier`,
      {
        context: { partitions: String(name) },
        hint: "use letters, digits and underscores, not starting with a digit (e.g. evaluation_gens)",
      },
    );
  }
}
