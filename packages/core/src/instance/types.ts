import type { ComputeInstance, DynamicPartitionsDefinition, Metadata } from "../definitions/types.ts";
import type { CheckResultRecord, CheckSummary, ListCheckResultsOptions } from "./check-records.ts";

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
  /**
   * When the run's lease ends unless renewed (epoch ms, storage clock); null for a finished run
   * or a run created without a lease (`leaseMs: null`), which no process judges dead. Absent in
   * records a caller builds itself.
   */
  leaseExpiresAt?: number | null;
}

/** The run that holds a step's claim. */
export interface RunHolder {
  runId: string;
  host: string;
  pid: number;
}

/** What one `claimSteps` call did with each step it was given. */
export interface ClaimOutcome<S extends StepRef> {
  /** Claims now held by the calling run (free, already its own, or taken from a dead run). */
  claimed: S[];
  /** Held by another live run. */
  held: { step: S; holder: RunHolder }[];
  /** Not claimed because already materialized (only with `skipMaterialized`). */
  materialized: S[];
}

export interface ClaimOptions {
  /**
   * A step whose latest state is `materialized` is not claimed but reported as such, checked in
   * the same transaction as the claim: what a `missing` run needs to never redo finished work.
   */
  skipMaterialized?: boolean;
}

export type EventType =
  | "run_start"
  | "step_start"
  | "materialization"
  | "step_failure"
  | "step_skipped"
  | "run_end";

/**
 * What a materialization was computed from, recorded with it so that staleness can be told
 * later: the asset's code version, a content hash of the output, and the data versions of
 * the upstream partitions it read.
 */
export interface MaterializationVersions {
  /** The asset's code version for this partition when it ran; null when it declares none. */
  code: string | null;
  /** Content hash of the output value; null when the value could not be hashed. */
  data: string | null;
  /**
   * The data version of each upstream partition read, then ("" is an unpartitioned asset's
   * partition). A list of fixed-shape entries: parsed for 100,000 partitions at once, objects
   * keyed by partition would each get a shape of their own.
   */
  inputs: MaterializationInput[];
}

export interface MaterializationInput {
  asset: string;
  partition: string;
  version: string | null;
}

/** One partition of one asset ("" for an unpartitioned asset). */
export interface PartitionRef {
  asset: string;
  partition: string;
}

/** Partitions whose latest versioned success ran with one code version. */
export interface RecordedCodeVersion {
  code: string | null;
  partitions: string[];
}

/** A partition state recorded since a version (see `assetStateChanges`). */
export interface AssetStateChange {
  partitionKey: string;
  status: "materialized" | "failed";
  /** Its latest success recorded versions (what `listRecordedCodeVersions` lists). */
  versioned: boolean;
  /** The code version of that success (null when none or not versioned). */
  code: string | null;
}

/** The partitions a scoped input comparison covered, and the mismatches among them. */
export interface ScopedInputMismatches {
  partitions: string[];
  mismatches: InputMismatch[];
}

/** A recorded input that no longer matches its upstream partition (see `listInputMismatches`). */
export interface InputMismatch {
  /** The downstream partition that read the input. */
  partitionKey: string;
  asset: string;
  partition: string;
  /** True: the upstream has other data now; false: same data, but the upstream is stale. */
  changed: boolean;
}

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
  /** `userError`: the step failed on bad input (an AssetsError marked so), not an outage or a bug. */
  error?: { message: string; stack?: string; name?: string; hint?: string; userError?: boolean } | null;
  /** Why a step was skipped (e.g. "upstream failed: draft_response[abc]"). */
  message?: string | null;
  /** Materialization events: the versions it was computed from (kept in the partition's state). */
  versions?: MaterializationVersions | null;
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
  /** Versions of the latest successful materialization; null when it recorded none. */
  versions?: MaterializationVersions | null;
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

/** One flush of a run's recorder (see `Storage.recordBatch`). */
export interface RecordBatch {
  events: readonly EventRecord[];
  checkResults: readonly CheckResultRecord[];
  /** Claims of finished steps to give back; none when omitted or empty. */
  release?: { runId: string; steps: StepRef[] };
}

/**
 * Instance storage. The SQLite implementation is the embedded default; keep SQL
 * behind this interface so another backend (PostgreSQL) can come later.
 */
export interface Storage {
  /**
   * Where the instance lives, fit to print: the SQLite file's path, or the PostgreSQL URL with
   * its password masked.
   */
  readonly location: string;

  // runs
  /**
   * `leaseMs`: the new run's lease runs that long from now on the storage's clock (default 30 s);
   * null: no lease, the run holds no claims and `markDeadRunsInterrupted` leaves it alone.
   */
  createRun(
    run: Omit<RunRecord, "createdAt" | "startedAt" | "endedAt" | "leaseExpiresAt"> & {
      leaseMs?: number | null;
    },
  ): RunRecord;
  /**
   * Renews an unfinished run's lease to `leaseMs` from now (storage clock). False when the run
   * is no longer `queued`/`started`: another process found its lease expired and marked it
   * `interrupted`, so its claims may be someone else's now.
   */
  heartbeatRun(runId: string, leaseMs: number): boolean;
  updateRun(
    runId: string,
    patch: Partial<Pick<RunRecord, "status" | "startedAt" | "endedAt" | "stepCount" | "tags">>,
  ): void;
  getRun(runId: string): RunRecord | undefined;
  listRuns(opts?: ListRunsOptions): RunRecord[];
  /**
   * Unfinished runs whose lease expired (any host), or whose process on this host is gone or a
   * zombie, become `interrupted` and lose their claims; returns how many. Runs without a lease
   * are left alone.
   */
  markDeadRunsInterrupted(): number;

  // events (batched by the caller: one transaction per call)
  appendEvents(events: EventRecord[]): void;
  /**
   * What a run writes per flush, all or nothing: `appendEvents(events)`, then
   * `recordCheckResults(checkResults)`, then `releaseSteps(release.runId, release.steps)`, as
   * one write (one round trip on a database server).
   */
  recordBatch(batch: RecordBatch): void;
  getEvents(runId: string, opts?: { afterId?: number; limit?: number; types?: EventType[] }): EventRecord[];

  // latest state per (asset, partition)
  getAssetPartitionState(assetKey: string, partitionKey?: string): AssetPartitionState | undefined;
  listAssetPartitionStates(
    assetKey: string,
    opts?: Page & { status?: "materialized" | "failed" },
  ): AssetPartitionState[];
  countAssetPartitionStates(assetKey: string): { materialized: number; failed: number };
  /**
   * A version of the asset's recorded states (its partition states and their recorded inputs
   * and code versions): it changes whenever any of them changes (an outcome recorded, a state
   * wiped), so what was read from them can be kept under it; it must be cheap next to reading
   * them. Optional: a backend that cannot tell (on PostgreSQL, concurrent writers commit
   * event ids out of order) leaves it out, and nothing read from it is kept.
   */
  assetStateVersion?(assetKey: string): string;
  /**
   * The asset's partition states recorded since `version` (one of `assetStateVersion`), each
   * partition once, and the version they bring the asset to; undefined when the change cannot
   * be told that way (a wipe since), so what was read must be read again. Optional, with
   * `assetStateVersion`: what was read is then updated instead of read again.
   */
  assetStateChanges?(
    assetKey: string,
    version: string,
  ): { version: string; changes: AssetStateChange[] } | undefined;
  /**
   * The most recently recorded state among all partitions of the asset (what `assets list`
   * shows as its last materialization). Optional: a backend without it shows no time.
   */
  latestAssetPartitionState?(assetKey: string): AssetPartitionState | undefined;
  /** Keys of partitions whose latest state is `materialized`. */
  materializedPartitionKeys(assetKey: string): Set<string>;
  /**
   * The versions of each partition's latest successful materialization (partition key -> versions;
   * "" for an unpartitioned asset), in one read: what staleness compares at 100,000 partitions.
   * Partitions whose materialization recorded no versions are left out.
   */
  listPartitionVersions(assetKey: string): Map<string, MaterializationVersions>;
  /**
   * The code version each partition's latest versioned success ran with (the partitions
   * `listPartitionVersions` returns), grouped: one entry per code version, in no set order.
   * Code versions are few, so 100,000 partitions cross as a few lists instead of 100,000 pairs.
   * With `otherThan`, only the partitions whose code version differs from it (null equals
   * null): an asset whose code version is the same for every partition is checked without
   * reading every row.
   */
  listRecordedCodeVersions(assetKey: string, otherThan?: { code: string | null }): RecordedCodeVersion[];
  /**
   * The recorded inputs of the asset's partitions (latest versioned success) that no longer
   * match upstream: the upstream partition's latest versioned success has other data than was
   * read (`changed: true`), or has the same data but is listed in `staleUpstream`. Inputs whose
   * upstream has no versioned success now are left out (missing, not stale). Computed by the
   * database, so only the mismatches cross to JavaScript; each partition's inputs come in their
   * recorded order.
   */
  listInputMismatches(assetKey: string, staleUpstream: readonly PartitionRef[]): InputMismatch[];
  /**
   * `listInputMismatches` restricted to a scope: the asset's `partitions` given, and those whose
   * recorded inputs include one of `inputs`; returns that scope and the mismatches in it. What
   * an inspection kept is brought up to date with it after a few partitions changed. Optional.
   */
  listInputMismatchesIn?(
    assetKey: string,
    staleUpstream: readonly PartitionRef[],
    scope: { partitions: readonly string[]; inputs: readonly PartitionRef[] },
  ): ScopedInputMismatches;
  /**
   * Forget materialization records and the check results about them, in one transaction (never
   * touches user files). Returns the materialization records removed.
   */
  wipeAssetPartitionStates(assetKey: string, partitionKey?: string): number;

  // asset checks: the latest result per (asset, check, partition)
  /** Stores results, replacing earlier ones of the same (asset, check, partition); one transaction per call. */
  recordCheckResults(results: readonly CheckResultRecord[]): void;
  /** Latest results of an asset's checks, ordered by check name then partition key. */
  listCheckResults(assetKey: string, opts?: ListCheckResultsOptions): CheckResultRecord[];
  /** Counts of latest results per check of the asset, ordered by check name. */
  summarizeCheckResults(assetKey: string): CheckSummary[];

  // dynamic partitions
  addDynamicPartitions(name: string, keys: Iterable<string>): number;
  /**
   * `addDynamicPartitions` off the caller's thread (SQLite: a worker thread with its own
   * connection). Optional: without it, the instance's writer adds synchronously.
   */
  openPartitionWriter?(): StoragePartitionWriter;
  getDynamicPartitions(name: string, page?: Page): string[];
  /**
   * A version of the definition's keys: it changes whenever a key is added or removed, so the
   * keys read can be kept under it; cheap next to reading them. Optional, like
   * `assetStateVersion`.
   */
  dynamicPartitionsVersion?(name: string): string;
  hasDynamicPartition(name: string, key: string): boolean;
  countDynamicPartitions(name: string): number;
  deleteDynamicPartitions(name: string, keys: Iterable<string>): number;
  listDynamicPartitionsDefinitions(): { name: string; count: number }[];

  // step claims: at most one process computes an (asset, partition) at once
  /** Returns true when the claim was taken (free, or held by a dead or finished run). */
  claimStep(assetKey: string, partitionKey: string, runId: string): boolean;
  /**
   * `claimStep` for many steps in one transaction ("" = unpartitioned). A claim held by a run
   * that is finished, whose lease expired, or whose process on this host is gone is taken
   * over, and such a run is marked `interrupted`. Each list keeps the objects and order given.
   */
  claimSteps<S extends StepRef>(runId: string, steps: readonly S[], opts?: ClaimOptions): ClaimOutcome<S>;
  /** Without `steps`, also gives back every semaphore slot the run holds (its end). */
  releaseSteps(runId: string, steps?: StepRef[]): void;

  // semaphore slots: at most `limit` of a named resource in use across every process at once
  /**
   * Takes up to `count` (default 1) slots of the semaphore `name` for an unfinished run with a
   * lease, so that the slots held by all live runs together never pass `limit`; returns how many
   * it took (0 when none is free). In the same transaction, slots of runs that are not live any
   * more (finished, lease expired, process on this host gone) are freed, and a dead run is marked
   * `interrupted` as a claim takeover does. Slots go with their run: when it ends
   * (`releaseSteps(runId)`) or is marked interrupted.
   */
  acquireSlots(runId: string, name: string, limit: number, count?: number): number;
  /** Gives back `count` of the run's slots of `name` (all of them when omitted); extra are ignored. */
  releaseSlots(runId: string, name: string, count?: number): void;

  close(): void;
}

/** Storage.openPartitionWriter's writer: DynamicPartitionWriter by definition name. */
export interface StoragePartitionWriter {
  add(name: string, keys: Iterable<string>): Promise<number>;
  close(): Promise<void>;
}

/** An opened instance: its home directory, the storage and the partition helpers compute uses. */
export interface Instance extends ComputeInstance {
  /** Absolute path of $ASSETS_HOME. */
  readonly home: string;
  /** Where the storage lives, fit to print (`Storage.location`): `<home>/instance.db` by default. */
  readonly storageLocation: string;
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
