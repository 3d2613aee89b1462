import type { ComputeInstance, DynamicPartitionsDefinition, Metadata } from "../definitions/types.ts";

export type RunStatus = "queued" | "started" | "succeeded" | "failed" | "canceled" | "interrupted";

export interface RunRecord {
  runId: string;
  status: RunStatus;
  /** The selection string as the user typed it. */
  selection: string;
  /** Human summary of the partitions targeted, e.g. "3 keys", "missing", "all". */
  partitionsSummary: string;
  /** Number of planned steps. */
  stepCount: number;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  pid: number;
  host: string;
  /** Free-form JSON: counts, config file path, error... */
  tags: Record<string, string>;
}

export type EventType =
  | "run_start"
  | "step_start"
  | "materialization"
  | "step_failure"
  | "step_skipped"
  | "run_end";

export interface EventRecord {
  /** Assigned by storage (monotonic). */
  id?: number;
  runId: string;
  type: EventType;
  assetKey: string | null;
  partitionKey: string | null;
  timestamp: string;
  /** Step duration for materialization/failure events. */
  durationMs?: number | null;
  metadata?: Metadata | null;
  /** `hint`: how to fix it, when the error carried one (AssetsError). */
  error?: { message: string; stack?: string; name?: string; hint?: string } | null;
  /** Why a step was skipped (e.g. "upstream failed: draft_response[abc]"). */
  message?: string | null;
}

export type PartitionStatus = "materialized" | "failed" | "missing";

/** Latest state of one (asset, partition), kept up to date without scanning the event log. */
export interface AssetPartitionState {
  assetKey: string;
  /** "" for unpartitioned assets. */
  partitionKey: string;
  status: "materialized" | "failed";
  runId: string;
  timestamp: string;
  durationMs: number | null;
  /** Metadata of the latest successful materialization (kept when a later attempt fails). */
  metadata: Metadata | null;
  /** Message of the latest failure; null once materialized again. */
  error: string | null;
  /** The latest successful materialization, if any (still set when `status` is "failed"). */
  lastMaterialization?: { runId: string; timestamp: string } | null;
}

export interface ListRunsOptions {
  limit?: number;
  status?: RunStatus;
}

/** One step of a run, as claims name it ("" for an unpartitioned asset). */
export interface StepRef {
  assetKey: string;
  partitionKey: string;
}

export interface Page {
  offset?: number;
  limit?: number;
}

/**
 * Instance storage. The SQLite implementation is the embedded default; keep SQL
 * behind this interface so another backend (PostgreSQL) can come later.
 */
export interface Storage {
  // runs
  createRun(run: Omit<RunRecord, "createdAt" | "startedAt" | "endedAt">): RunRecord;
  updateRun(
    runId: string,
    patch: Partial<Pick<RunRecord, "status" | "startedAt" | "endedAt" | "stepCount" | "tags">>,
  ): void;
  getRun(runId: string): RunRecord | undefined;
  listRuns(opts?: ListRunsOptions): RunRecord[];
  /** Runs left `started`/`queued` by a process that is gone become `interrupted`; returns how many. */
  markDeadRunsInterrupted(): number;

  // events (batched by the caller: one transaction per call)
  appendEvents(events: EventRecord[]): void;
  getEvents(runId: string, opts?: { afterId?: number; limit?: number; types?: EventType[] }): EventRecord[];

  // latest state per (asset, partition)
  getAssetPartitionState(assetKey: string, partitionKey?: string): AssetPartitionState | undefined;
  listAssetPartitionStates(
    assetKey: string,
    opts?: Page & { status?: "materialized" | "failed" },
  ): AssetPartitionState[];
  countAssetPartitionStates(assetKey: string): { materialized: number; failed: number };
  /**
   * The most recently recorded state among all partitions of the asset (what `assets list`
   * shows as its last materialization). Optional: a backend without it shows no time.
   */
  latestAssetPartitionState?(assetKey: string): AssetPartitionState | undefined;
  /** Keys of partitions whose latest state is `materialized`. */
  materializedPartitionKeys(assetKey: string): Set<string>;
  /** Forget materialization records (never touches user files). Returns rows removed. */
  wipeAssetPartitionStates(assetKey: string, partitionKey?: string): number;

  // dynamic partitions
  addDynamicPartitions(name: string, keys: Iterable<string>): number;
  getDynamicPartitions(name: string, page?: Page): string[];
  hasDynamicPartition(name: string, key: string): boolean;
  countDynamicPartitions(name: string): number;
  deleteDynamicPartitions(name: string, keys: Iterable<string>): number;
  listDynamicPartitionsDefinitions(): { name: string; count: number }[];

  // step claims: at most one process computes an (asset, partition) at once
  /** Returns true when the claim was taken (free, or held by a dead process). */
  claimStep(assetKey: string, partitionKey: string, runId: string): boolean;
  /**
   * `claimStep` for many steps in one transaction ("" = unpartitioned). Returns the steps
   * claimed: the same objects, in the order given; the others are held by live runs.
   */
  claimSteps<S extends StepRef>(runId: string, steps: readonly S[]): S[];
  releaseSteps(runId: string, steps?: StepRef[]): void;

  close(): void;
}

/** An opened instance: its home directory, the storage and the partition helpers compute uses. */
export interface Instance extends ComputeInstance {
  /** Absolute path of $ASSETS_HOME. */
  readonly home: string;
  /** `<home>/instance.db`. */
  readonly dbPath: string;
  /** `<home>/logs`. */
  readonly logsDir: string;
  readonly storage: Storage;
  /** `<home>/logs/<runId>.jsonl`. */
  logPathFor(runId: string): string;
  getDynamicPartitions(def: DynamicPartitionsDefinition | string, page?: Page): string[];
  /** Explicit keys only; returns how many existed. */
  deleteDynamicPartitions(def: DynamicPartitionsDefinition | string, keys: Iterable<string>): number;
  close(): void;
}
