import type {
  AssetPartitionState,
  CheckResultRecord,
  CheckSummary,
  ClaimOptions,
  ClaimOutcome,
  EventRecord,
  EventType,
  InputMismatch,
  ListCheckResultsOptions,
  ListRunsOptions,
  MaterializationVersions,
  NewRun,
  Page,
  PartitionRef,
  RecordBatch,
  RecordedCodeVersion,
  RunPatch,
  RunRecord,
  StepRef,
  Storage,
} from "@daydream/core";
import { parsePostgresUrl } from "./connection/postgres-url.ts";
import { SyncConnection, type SyncConnectionOptions } from "./connection/sync-connection.ts";
import { CheckResultQueries } from "./queries/check-results.ts";
import { ClaimQueries } from "./queries/claims.ts";
import { DynamicPartitionQueries } from "./queries/dynamic-partitions.ts";
import type { AppendHook } from "./queries/events.ts";
import { EventQueries } from "./queries/events.ts";
import { PartitionStateQueries } from "./queries/partition-state.ts";
import { RunQueries } from "./queries/runs.ts";
import { SemaphoreQueries } from "./queries/semaphores.ts";
import { MIGRATIONS, migrate, type PostgresMigration } from "./schema/migrations.ts";

export interface PostgresStorageOptions extends SyncConnectionOptions {
  /** For tests of the migration runner; default: every migration of this version. */
  migrations?: readonly PostgresMigration[];
  /**
   * Runs inside the transaction that appends a batch of events, after the partition states are
   * written: what sibling packages keep in step with the event log (the queue executor enqueues
   * a step's downstream in the transaction that records its materialization).
   */
  afterAppend?: AppendHook;
}

/**
 * The shared Storage: one PostgreSQL database (or schema) used by processes on any number of
 * machines. Same semantics as the SQLite storage; leases are judged on the database's clock.
 */
export class PostgresStorage implements Storage {
  readonly location: string;
  private readonly conn: SyncConnection;
  private readonly runs: RunQueries;
  private readonly events: EventQueries;
  private readonly states: PartitionStateQueries;
  private readonly partitions: DynamicPartitionQueries;
  private readonly claims: ClaimQueries;
  private readonly checks: CheckResultQueries;
  private readonly semaphores: SemaphoreQueries;

  /** Connects and migrates; errors name the host and database, never the password. */
  constructor(url: string, opts: PostgresStorageOptions = {}) {
    const target = parsePostgresUrl(url);
    this.location = target.masked;
    this.conn = new SyncConnection(target, opts);
    try {
      migrate(this.conn, opts.migrations ?? MIGRATIONS);
    } catch (err) {
      this.conn.close();
      throw err;
    }
    this.runs = new RunQueries(this.conn);
    this.states = new PartitionStateQueries(this.conn);
    this.events = new EventQueries(this.conn, this.states, opts.afterAppend);
    this.partitions = new DynamicPartitionQueries(this.conn);
    this.claims = new ClaimQueries(this.conn, this.runs);
    this.checks = new CheckResultQueries(this.conn);
    this.semaphores = new SemaphoreQueries(this.conn, this.runs);
  }

  /** The storage's connection, for sibling packages keeping their own tables in this database. */
  get connection(): SyncConnection {
    return this.conn;
  }

  createRun(run: NewRun): RunRecord {
    return this.runs.create(run);
  }

  heartbeatRun(runId: string, leaseMs: number): boolean {
    return this.runs.heartbeat(runId, leaseMs);
  }

  updateRun(runId: string, patch: RunPatch): void {
    this.runs.update(runId, patch);
  }

  getRun(runId: string): RunRecord | undefined {
    return this.runs.get(runId);
  }

  listRuns(opts?: ListRunsOptions): RunRecord[] {
    return this.runs.list(opts);
  }

  markDeadRunsInterrupted(): number {
    return this.runs.markDeadRunsInterrupted();
  }

  appendEvents(events: EventRecord[]): void {
    this.events.append(events);
  }

  recordBatch(batch: RecordBatch): void {
    if (this.events.recordBatch(batch)) return;
    this.conn.transaction("record batch", () => {
      this.events.append(batch.events);
      this.checks.record(batch.checkResults);
      if (batch.release !== undefined && batch.release.steps.length > 0) {
        this.claims.release(batch.release.runId, batch.release.steps);
      }
    });
  }

  getEvents(runId: string, opts?: { afterId?: number; limit?: number; types?: EventType[] }): EventRecord[] {
    return this.events.list(runId, opts);
  }

  getAssetPartitionState(assetKey: string, partitionKey?: string): AssetPartitionState | undefined {
    return this.states.get(assetKey, partitionKey);
  }

  latestAssetPartitionState(assetKey: string): AssetPartitionState | undefined {
    return this.states.latest(assetKey);
  }

  listAssetPartitionStates(
    assetKey: string,
    opts?: Page & { status?: "materialized" | "failed" },
  ): AssetPartitionState[] {
    return this.states.list(assetKey, opts);
  }

  countAssetPartitionStates(assetKey: string): { materialized: number; failed: number } {
    return this.states.count(assetKey);
  }

  materializedPartitionKeys(assetKey: string): Set<string> {
    return this.states.materializedPartitionKeys(assetKey);
  }

  listPartitionVersions(assetKey: string): Map<string, MaterializationVersions> {
    return this.states.versions(assetKey);
  }

  listRecordedCodeVersions(assetKey: string, otherThan?: { code: string | null }): RecordedCodeVersion[] {
    return this.states.codeVersions(assetKey, otherThan);
  }

  listInputMismatches(assetKey: string, staleUpstream: readonly PartitionRef[]): InputMismatch[] {
    return this.states.mismatchedInputs(assetKey, staleUpstream);
  }

  wipeAssetPartitionStates(assetKey: string, partitionKey?: string): number {
    return this.conn.transaction("wipe partition states", () => {
      this.checks.wipe(assetKey, partitionKey);
      return this.states.wipe(assetKey, partitionKey);
    });
  }

  recordCheckResults(results: readonly CheckResultRecord[]): void {
    this.checks.record(results);
  }

  listCheckResults(assetKey: string, opts?: ListCheckResultsOptions): CheckResultRecord[] {
    return this.checks.list(assetKey, opts);
  }

  summarizeCheckResults(assetKey: string): CheckSummary[] {
    return this.checks.summarize(assetKey);
  }

  addDynamicPartitions(name: string, keys: Iterable<string>): number {
    return this.partitions.add(name, keys);
  }

  getDynamicPartitions(name: string, page?: Page): string[] {
    return this.partitions.list(name, page);
  }

  hasDynamicPartition(name: string, key: string): boolean {
    return this.partitions.has(name, key);
  }

  countDynamicPartitions(name: string): number {
    return this.partitions.count(name);
  }

  deleteDynamicPartitions(name: string, keys: Iterable<string>): number {
    return this.partitions.delete(name, keys);
  }

  listDynamicPartitionsDefinitions(): { name: string; count: number }[] {
    return this.partitions.listDefinitions();
  }

  claimStep(assetKey: string, partitionKey: string, runId: string): boolean {
    return this.claims.claimMany(runId, [{ assetKey, partitionKey }]).claimed.length === 1;
  }

  claimSteps<S extends StepRef>(runId: string, steps: readonly S[], opts?: ClaimOptions): ClaimOutcome<S> {
    return this.claims.claimMany(runId, steps, opts);
  }

  releaseSteps(runId: string, steps?: StepRef[]): void {
    this.claims.release(runId, steps);
    if (steps === undefined) this.semaphores.releaseAll(runId);
  }

  acquireSlots(runId: string, name: string, limit: number, count?: number): number {
    return this.semaphores.acquire(runId, name, limit, count);
  }

  releaseSlots(runId: string, name: string, count?: number): void {
    this.semaphores.release(runId, name, count);
  }

  /** Idempotent. */
  close(): void {
    this.conn.close();
  }
}
