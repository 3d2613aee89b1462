/** What a child process of the race tests does once every child is ready and told to go. */
export type ChildTask =
  | {
      kind: "add-partitions";
      name: string;
      /** Adds `key_0` ... `key_<count-1>` in one call, in reverse order when `reverse`. */
      count: number;
      reverse: boolean;
    }
  | {
      kind: "claim";
      runId: string;
      assetKey: string;
      /** Claims partitions `from` ... `to - 1` in batches of `batch`, from the top when `reverse`. */
      from: number;
      to: number;
      batch: number;
      reverse: boolean;
    }
  | {
      kind: "compute";
      runId: string;
      assetKey: string;
      /**
       * Materializes partitions `0` ... `count - 1` the way a `missing` run does: claims with
       * the re-check in batches of `batch`, records a materialization of each step claimed,
       * releases it, and asks again for held steps until none is left.
       */
      count: number;
      batch: number;
      reverse: boolean;
    }
  | {
      kind: "semaphore";
      runId: string;
      /** Takes one slot of semaphore `name` (at most `limit` held) `holds` times, each for `holdMs`. */
      name: string;
      limit: number;
      holds: number;
      holdMs: number;
    }
  | {
      kind: "open";
      /** After opening (the race itself), creates this run and adds it as a partition key of "openers". */
      runId: string;
    };

export interface AddPartitionsResult {
  added: number;
}

export interface ClaimResult {
  claimed: string[];
  held: { partitionKey: string; holderRunId: string }[];
}

export interface ComputeResult {
  /** Keys this process materialized. */
  computed: string[];
  /** Keys it found materialized by the other one. */
  doneElsewhere: string[];
}

export interface SemaphoreResult {
  /**
   * When each slot was held, as [taken, given back] in nanoseconds of the host's monotonic clock
   * (process.hrtime, shared by every process on the host): read after acquireSlots returned and
   * before releaseSlots was called, so each lies within the slot's real holding.
   */
  holds: [string, string][];
  /** acquireSlots calls that returned 0 (the semaphore was full). */
  refused: number;
}

export interface OpenResult {
  opened: true;
}

/** Partition key `i` of the race tests. */
export const raceKey = (i: number): string => `key_${i}`;
