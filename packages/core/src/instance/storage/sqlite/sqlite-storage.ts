import type Database from "better-sqlite3";
import type { CheckResultRecord, CheckSummary, ListCheckResultsOptions } from "../../check-records.ts";
import type {
  AssetPartitionState,
  AssetStateChange,
  ClaimOptions,
  ClaimOutcome,
  EventRecord,
  EventType,
  InputMismatch,
  ListRunsOptions,
  MaterializationVersions,
  Page,
  PartitionRef,
  RecordBatch,
  RecordedCodeVersion,
  RunRecord,
  ScopedInputMismatches,
  StepRef,
  Storage,
  StoragePartitionWriter,
} from "../../types.ts";
import type { NewRun, RunPatch } from "../run-records.ts";
import { CheckResultQueries } from "./check-results.ts";
import { ClaimQueries } from "./claims.ts";
import { DynamicPartitionQueries } from "./dynamic-partitions.ts";
import { EventQueries } from "./events.ts";
import { MIGRATIONS, type Migration } from "./migrations.ts";
import { openSqliteDatabase } from "./open-database.ts";
import { PartitionStateQueries } from "./partition-state.ts";
import { ThreadedPartitionWriter } from "./partition-writer-thread.ts";
import { RunQueries } from "./runs.ts";
import { SemaphoreQueries } from "./semaphores.ts";
import { toStorageError } from "./sqlite-errors.ts";

/**
 * The embedded Storage: one SQLite file (WAL, busy timeout, versioned
 * migrations). Every statement is prepared once; driver errors surface as
 * StorageErrors naming the database and the operation.
 */
export class SqliteStorage implements Storage {
  readonly dbPath: string;
  readonly location: string;
  private readonly db: Database.Database;
  private readonly runs: RunQueries;
  private readonly events: EventQueries;
  private readonly states: PartitionStateQueries;
  private readonly partitions: DynamicPartitionQueries;
  private readonly claims: ClaimQueries;
  private readonly checks: CheckResultQueries;
  private readonly semaphores: SemaphoreQueries;

  /** Opens (creating and migrating when needed) the database at `dbPath`; its directory must exist. */
  constructor(dbPath: string, opts: { migrations?: readonly Migration[] } = {}) {
    this.dbPath = dbPath;
    this.location = dbPath;
    this.db = openSqliteDatabase(dbPath, opts.migrations ?? MIGRATIONS);
    try {
      this.runs = new RunQueries(this.db);
      this.states = new PartitionStateQueries(this.db);
      this.events = new EventQueries(this.db, this.states);
      this.partitions = new DynamicPartitionQueries(this.db);
      this.claims = new ClaimQueries(this.db, this.runs);
      this.checks = new CheckResultQueries(this.db);
      this.semaphores = new SemaphoreQueries(this.db, this.runs);
    } catch (err) {
      this.db.close();
      throw toStorageError(err, dbPath, "prepare statements");
    }
  }

  createRun(run: NewRun): RunRecord {
    return this.guard("create run", () => this.runs.create(run));
  }

  updateRun(runId: string, patch: RunPatch): void {
    this.guard("update run", () => this.runs.update(runId, patch));
  }

  getRun(runId: string): RunRecord | undefined {
    return this.guard("read run", () => this.runs.get(runId));
  }

  listRuns(opts?: ListRunsOptions): RunRecord[] {
    return this.guard("list runs", () => this.runs.list(opts));
  }

  heartbeatRun(runId: string, leaseMs: number): boolean {
    return this.guard("renew run lease", () => this.runs.heartbeat(runId, leaseMs));
  }

  markDeadRunsInterrupted(): number {
    return this.guard("mark dead runs interrupted", () => this.runs.markDeadRunsInterrupted());
  }

  appendEvents(events: EventRecord[]): void {
    this.guard("append events", () => this.events.append(events));
  }

  recordBatch(batch: RecordBatch): void {
    this.guard("record batch", () =>
      this.db
        .transaction(() => {
          this.events.append(batch.events);
          this.checks.record(batch.checkResults);
          if (batch.release !== undefined && batch.release.steps.length > 0) {
            this.claims.release(batch.release.runId, batch.release.steps);
          }
        })
        .immediate(),
    );
  }

  getEvents(runId: string, opts?: { afterId?: number; limit?: number; types?: EventType[] }): EventRecord[] {
    return this.guard("read events", () => this.events.list(runId, opts));
  }

  getAssetPartitionState(assetKey: string, partitionKey?: string): AssetPartitionState | undefined {
    return this.guard("read partition state", () => this.states.get(assetKey, partitionKey));
  }

  latestAssetPartitionState(assetKey: string): AssetPartitionState | undefined {
    return this.guard("read latest partition state", () => this.states.latest(assetKey));
  }

  listAssetPartitionStates(
    assetKey: string,
    opts?: Page & { status?: "materialized" | "failed" },
  ): AssetPartitionState[] {
    return this.guard("list partition states", () => this.states.list(assetKey, opts));
  }

  countAssetPartitionStates(assetKey: string): { materialized: number; failed: number } {
    return this.guard("count partition states", () => this.states.count(assetKey));
  }

  assetStateVersion(assetKey: string): string {
    return this.guard("read the version of partition states", () => this.states.version(assetKey));
  }

  assetStateChanges(
    assetKey: string,
    version: string,
  ): { version: string; changes: AssetStateChange[] } | undefined {
    return this.guard("read changed partition states", () => this.states.changes(assetKey, version));
  }

  materializedPartitionKeys(assetKey: string): Set<string> {
    return this.guard("read materialized partitions", () => this.states.materializedPartitionKeys(assetKey));
  }

  listPartitionVersions(assetKey: string): Map<string, MaterializationVersions> {
    return this.guard("read partition versions", () => this.states.versions(assetKey));
  }

  listRecordedCodeVersions(assetKey: string, otherThan?: { code: string | null }): RecordedCodeVersion[] {
    return this.guard("read recorded code versions", () => this.states.codeVersions(assetKey, otherThan));
  }

  listInputMismatches(assetKey: string, staleUpstream: readonly PartitionRef[]): InputMismatch[] {
    return this.guard("compare recorded inputs", () => this.states.mismatchedInputs(assetKey, staleUpstream));
  }

  listInputMismatchesIn(
    assetKey: string,
    staleUpstream: readonly PartitionRef[],
    scope: { partitions: readonly string[]; inputs: readonly PartitionRef[] },
  ): ScopedInputMismatches {
    return this.guard("compare recorded inputs", () =>
      this.db.transaction(() => this.states.mismatchedInputsIn(assetKey, staleUpstream, scope))(),
    );
  }

  wipeAssetPartitionStates(assetKey: string, partitionKey?: string): number {
    return this.guard("wipe partition states", () =>
      this.db.transaction(() => {
        this.checks.wipe(assetKey, partitionKey);
        return this.states.wipe(assetKey, partitionKey);
      })(),
    );
  }

  recordCheckResults(results: readonly CheckResultRecord[]): void {
    this.guard("record check results", () => this.checks.record(results));
  }

  listCheckResults(assetKey: string, opts?: ListCheckResultsOptions): CheckResultRecord[] {
    return this.guard("list check results", () => this.checks.list(assetKey, opts));
  }

  summarizeCheckResults(assetKey: string): CheckSummary[] {
    return this.guard("summarize check results", () => this.checks.summarize(assetKey));
  }

  addDynamicPartitions(name: string, keys: Iterable<string>): number {
    return this.guard("add dynamic partitions", () => this.partitions.add(name, keys));
  }

  openPartitionWriter(): StoragePartitionWriter {
    return new ThreadedPartitionWriter(this.dbPath);
  }

  getDynamicPartitions(name: string, page?: Page): string[] {
    return this.guard("list dynamic partitions", () => this.partitions.list(name, page));
  }

  hasDynamicPartition(name: string, key: string): boolean {
    return this.guard("look up dynamic partition", () => this.partitions.has(name, key));
  }

  dynamicPartitionsVersion(name: string): string {
    return this.guard("read the version of dynamic partitions", () => this.partitions.version(name));
  }

  countDynamicPartitions(name: string): number {
    return this.guard("count dynamic partitions", () => this.partitions.count(name));
  }

  deleteDynamicPartitions(name: string, keys: Iterable<string>): number {
    return this.guard("delete dynamic partitions", () => this.partitions.delete(name, keys));
  }

  listDynamicPartitionsDefinitions(): { name: string; count: number }[] {
    return this.guard("list dynamic partitions definitions", () => this.partitions.listDefinitions());
  }

  claimStep(assetKey: string, partitionKey: string, runId: string): boolean {
    return this.guard("claim step", () => this.claims.claim(assetKey, partitionKey, runId));
  }

  claimSteps<S extends StepRef>(runId: string, steps: readonly S[], opts?: ClaimOptions): ClaimOutcome<S> {
    return this.guard("claim steps", () => this.claims.claimMany(runId, steps, opts));
  }

  releaseSteps(runId: string, steps?: StepRef[]): void {
    this.guard("release steps", () => {
      this.claims.release(runId, steps);
      if (steps === undefined) this.semaphores.releaseAll(runId);
    });
  }

  acquireSlots(runId: string, name: string, limit: number, count?: number): number {
    return this.guard("acquire semaphore slots", () => this.semaphores.acquire(runId, name, limit, count));
  }

  releaseSlots(runId: string, name: string, count?: number): void {
    this.guard("release semaphore slots", () => this.semaphores.release(runId, name, count));
  }

  /** `PRAGMA integrity_check`: "ok", or SQLite's list of problems. */
  integrityCheck(): string {
    return this.guard("check integrity", () =>
      (this.db.pragma("integrity_check", { simple: false }) as { integrity_check: string }[])
        .map((row) => row.integrity_check)
        .join("\n"),
    );
  }

  /** Idempotent. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  private guard<T>(operation: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw toStorageError(err, this.dbPath, operation);
    }
  }
}
