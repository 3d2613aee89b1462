import type { Logger } from "pino";
import type { AssetCheckDefinition } from "./check-types.ts";
import type { PartitionMapping } from "./partition-mapping.ts";

/** Metadata attached to a materialization; must be JSON-serialisable. */
export type MetadataValue =
  | string
  | number
  | boolean
  | null
  | MetadataValue[]
  | { [k: string]: MetadataValue };
export type Metadata = Record<string, MetadataValue>;

/** A dynamic partitions definition: its keys live in the instance (SQLite), added at run time. */
export interface DynamicPartitionsDefinition {
  readonly kind: "dynamic";
  readonly name: string;
  /**
   * Facts about a partition kept outside the instance (e.g. which template and model a
   * generation uses), shown by `assets lineage`. Called once per query; returns the lookup.
   */
  readonly describe?: () => (partitionKey: string) => Metadata | undefined;
}

export interface RetryPolicy {
  /** Total attempts including the first (>= 1). */
  maxAttempts: number;
  /** Delay before the 2nd attempt, in ms (default 1000). */
  delayMs?: number;
  /** Multiplier applied to the delay after each failed attempt (default 2). */
  backoff?: number;
}

/** Anything with a zod-like `parse`; keeps core free of a validation library. */
export interface ConfigSchema<T> {
  parse(input: unknown): T;
}

/** Adds dynamic partition keys in the background (see ComputeInstance.openPartitionWriter). */
export interface DynamicPartitionWriter {
  /**
   * Validates the keys at once (a bad key throws here and nothing is queued), then adds them
   * (add-only, idempotent, one transaction per call, in call order); resolves with how many
   * were new.
   */
  add(def: DynamicPartitionsDefinition | string, keys: Iterable<string>): Promise<number>;
  /** Waits for the queued adds, then frees the writer. Idempotent. */
  close(): Promise<void>;
}

/** The subset of the instance that compute functions may use. */
export interface ComputeInstance {
  /** Add keys (add-only, idempotent). Returns how many were new. */
  addDynamicPartitions(def: DynamicPartitionsDefinition | string, keys: Iterable<string>): number;
  /**
   * A writer that adds keys while the caller goes on with other work (the SQLite storage
   * writes on a thread of its own): for registering tens of thousands of keys alongside
   * writing files. Close it when done, also on failure.
   */
  openPartitionWriter(): DynamicPartitionWriter;
  getDynamicPartitions(def: DynamicPartitionsDefinition | string): string[];
  hasDynamicPartition(def: DynamicPartitionsDefinition | string, key: string): boolean;
  countDynamicPartitions(def: DynamicPartitionsDefinition | string): number;
}

/** What compute receives besides its input values. */
export interface AssetContext<Config = Record<string, unknown>> {
  readonly assetKey: string;
  /** The partition being materialized; undefined for unpartitioned assets. */
  readonly partitionKey: string | undefined;
  readonly runId: string;
  /** 1 for the first attempt, 2 for the first retry... */
  readonly attempt: number;
  /** This asset's run config (parsed by `configSchema` when given; `{}` otherwise). */
  readonly config: Config;
  readonly resources: Record<string, unknown>;
  /** pino logger; every line is tagged with run_id, asset and partition. */
  readonly log: Logger;
  /** Aborted when the run is cancelled (SIGINT/SIGTERM, fail-fast, API). */
  readonly signal: AbortSignal;
  readonly instance: ComputeInstance;
  addMetadata(metadata: Metadata): void;
}

/** Declares an input value: by default the upstream asset has the same key as the input name. */
export interface AssetIn {
  asset?: string;
  /**
   * Whether a change of this input's data version makes a partition stale (default true).
   * False for an input each partition reads only a slice of that its code version covers
   * (e.g. a table of all tasks, of which a partition reads its own row).
   */
  versioned?: boolean;
}

export interface CodeVersionArgs {
  resources: Record<string, unknown>;
}

/** The code version of one partition (undefined: only the asset's `codeVersion`). */
export type PartitionCodeVersion = (partitionKey: string) => string | undefined;

export interface IsMaterializedArgs {
  partitionKey: string | undefined;
  resources: Record<string, unknown>;
}

export interface AssetSpec<Config = Record<string, unknown>> {
  key: string;
  group?: string;
  description?: string;
  /** Value inputs, passed to compute by name. */
  ins?: Record<string, AssetIn>;
  /** Ordering-only dependencies (no value passed). */
  deps?: string[];
  /**
   * For a dep partitioned differently from this asset: which of its partitions each partition
   * of this asset depends on (default: all of them), keyed by the dep's asset key.
   */
  partitionMappings?: Record<string, PartitionMapping>;
  partitions?: DynamicPartitionsDefinition;
  /** IO manager key; default "memory". */
  io?: string;
  resources?: string[];
  /** The version of the asset's code; changing it makes every materialized partition stale. */
  codeVersion?: string;
  /**
   * The part of the code version that differs by partition (e.g. the content hash of the
   * template file a partition renders). Called once per run or staleness query, so it may
   * read a table once; returns each partition's version.
   */
  partitionCodeVersions?: (args: CodeVersionArgs) => PartitionCodeVersion;
  tags?: Record<string, string>;
  kinds?: string[];
  retry?: RetryPolicy;
  configSchema?: ConfigSchema<Config>;
  /**
   * Optional external source of truth: when it returns true, the (asset, partition)
   * counts as materialized for `missing` runs even without a record in the instance.
   */
  isMaterialized?: (args: IsMaterializedArgs) => boolean | Promise<boolean>;
  compute: (ctx: AssetContext<Config>, inputs: Record<string, unknown>) => unknown | Promise<unknown>;
}

/** A validated asset definition (defaults filled in). */
export interface AssetDefinition<Config = Record<string, unknown>> extends AssetSpec<Config> {
  readonly group: string;
  readonly ins: Record<string, AssetIn>;
  readonly deps: string[];
  readonly io: string;
  readonly resources: string[];
  readonly tags: Record<string, string>;
  readonly kinds: string[];
}

/** Result wrapper for compute: a value plus metadata for the materialization event. */
export interface MaterializeResult<T = unknown> {
  value: T;
  metadata?: Metadata;
}

/** What a resource factory is told about the run it is created for. */
export interface ResourceRunContext {
  /** Steps the run computes at once (`--concurrency`). */
  concurrency: number;
  /** Tell the user something once, e.g. that a limit of the resource holds the run back. */
  notice(message: string): void;
  /** A short live status for the run's progress line; undefined clears it. */
  status(text: string | undefined): void;
  /**
   * Slots of named semaphores shared by every process recording runs in the same instance (on
   * any machine): what keeps all of them together under a provider's limit. Absent when the run
   * is not recorded in an instance.
   */
  clusterSlots?: ClusterSlots;
}

/** Cluster-wide semaphores, held by the current run (they die with its lease). */
export interface ClusterSlots {
  /**
   * Waits until a slot of `name` is free (at most `limit` held across the instance) and takes it
   * for the current run; resolves with the function that gives it back (once; later calls do
   * nothing). Rejects with `signal.reason` when `signal` aborts first, and with an AssetsError
   * when the storage fails or the run has ended.
   */
  acquire(name: string, limit: number, signal?: AbortSignal): Promise<() => void>;
}

/** A resource value or a factory run once per run (disposed at the end when it returns `dispose`). */
export interface ResourceFactory<T = unknown> {
  readonly kind: "resource-factory";
  /** `run` is absent outside a run (an `isMaterialized` hook inspecting what is missing). */
  create(run?: ResourceRunContext): T | Promise<T>;
  dispose?(value: T): void | Promise<void>;
}

export interface OutputContext {
  assetKey: string;
  partitionKey: string | undefined;
  runId: string;
}
export type InputContext = OutputContext;

export interface StoredPartitionsContext {
  assetKey: string;
  /** Whether the asset is partitioned (an unpartitioned asset's value is listed as ""). */
  partitioned: boolean;
}

export interface IOManager {
  handleOutput(ctx: OutputContext, value: unknown): void | Promise<void>;
  loadInput(ctx: InputContext): unknown | Promise<unknown>;
  /**
   * Optional: the partition keys of the asset whose stored output exists now ("" for an
   * unpartitioned asset's value), found in one listing (e.g. one directory scan). With it
   * the store is the truth both ways: a recorded materialization whose output is gone counts
   * as missing, and an output present without a record as materialized. May answer with a
   * promise: the engine reads its own records while an asynchronous listing runs.
   */
  storedPartitions?(ctx: StoredPartitionsContext): ReadonlySet<string> | Promise<ReadonlySet<string>>;
}

export interface DefinitionsSpec {
  // biome-ignore lint/suspicious/noExplicitAny: only `any` admits assets of every config type.
  assets: AssetDefinition<any>[];
  resources?: Record<string, unknown>;
  ioManagers?: Record<string, IOManager>;
  /** Checks of the assets above (`assetCheck()`). */
  checks?: AssetCheckDefinition[];
}

export interface Definitions {
  readonly kind: "definitions";
  // biome-ignore lint/suspicious/noExplicitAny: only `any` admits assets of every config type.
  readonly assets: ReadonlyMap<string, AssetDefinition<any>>;
  readonly resources: Readonly<Record<string, unknown>>;
  readonly ioManagers: Readonly<Record<string, IOManager>>;
  /** Checks by asset key, in declaration order (absent: no checks). */
  readonly checks?: ReadonlyMap<string, readonly AssetCheckDefinition[]>;
}
