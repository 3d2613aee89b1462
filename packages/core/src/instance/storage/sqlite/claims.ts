import type Database from "better-sqlite3";
import { StorageError } from "../../../errors.ts";
import { holderState } from "../../leases.ts";
import type { ClaimOptions, ClaimOutcome, RunHolder, RunStatus, StepRef } from "../../types.ts";
import { SQL_NOW_MS } from "./clock.ts";
import { UNPARTITIONED } from "./partition-state.ts";
import type { RunQueries } from "./runs.ts";

interface HolderRow {
  run_id: string;
  pid: number;
  host: string;
  status: RunStatus | null;
  lease_expires_at: number | null;
  now: number;
}

interface Owner {
  pid: number;
  host: string;
}

/**
 * Step claims: at most one run computes an (asset, partition) at once. A claim belongs to a
 * run; it is live while that run is unfinished and its lease is fresh (see leases.ts), and
 * otherwise taken over by the next run that asks, which marks the dead run `interrupted`.
 */
export class ClaimQueries {
  private readonly runOwner: Database.Statement<[string], Owner>;
  private readonly insert: Database.Statement<[string, string, string, number, string, string]>;
  private readonly holder: Database.Statement<[string, string], HolderRow>;
  private readonly takeOver: Database.Statement<[string, number, string, string, string, string]>;
  private readonly isMaterialized: Database.Statement<[string, string], { status: string }>;
  private readonly releaseAll: Database.Statement<[string]>;
  private readonly releaseOne: Database.Statement<[string, string, string]>;
  private readonly claimTx: Database.Transaction<
    (runId: string, steps: readonly StepRef[], opts: ClaimOptions) => ClaimOutcome<StepRef>
  >;
  private readonly releaseTx: Database.Transaction<(runId: string, steps: readonly StepRef[]) => void>;

  constructor(
    db: Database.Database,
    private readonly runs: RunQueries,
  ) {
    this.runOwner = db.prepare("SELECT pid, host FROM runs WHERE run_id = ?");
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO step_claims (asset_key, partition_key, run_id, pid, host, claimed_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.holder = db.prepare(
      `SELECT c.run_id, r.pid, r.host, r.status, r.lease_expires_at, ${SQL_NOW_MS} AS now
       FROM step_claims c LEFT JOIN runs r ON r.run_id = c.run_id
       WHERE c.asset_key = ? AND c.partition_key = ?`,
    );
    this.takeOver = db.prepare(
      `UPDATE step_claims SET run_id = ?, pid = ?, host = ?, claimed_at = ?
       WHERE asset_key = ? AND partition_key = ?`,
    );
    this.isMaterialized = db.prepare(
      "SELECT status FROM asset_partition_state WHERE asset_key = ? AND partition_key = ? AND status = 'materialized'",
    );
    this.releaseAll = db.prepare("DELETE FROM step_claims WHERE run_id = ?");
    this.releaseOne = db.prepare(
      "DELETE FROM step_claims WHERE asset_key = ? AND partition_key = ? AND run_id = ?",
    );
    this.claimTx = db.transaction((runId: string, steps: readonly StepRef[], opts: ClaimOptions) =>
      this.claimAll(runId, steps, opts),
    );
    this.releaseTx = db.transaction((runId: string, steps: readonly StepRef[]) => {
      for (const step of steps) this.releaseOne.run(step.assetKey, step.partitionKey ?? UNPARTITIONED, runId);
    });
  }

  /** IMMEDIATE, so two processes racing for one step serialize on the write lock. */
  claim(assetKey: string, partitionKey: string | undefined, runId: string): boolean {
    const step = { assetKey, partitionKey: partitionKey ?? UNPARTITIONED };
    return this.claimTx.immediate(runId, [step], {}).claimed.length === 1;
  }

  /** Claims many steps in one IMMEDIATE transaction. */
  claimMany<S extends StepRef>(runId: string, steps: readonly S[], opts: ClaimOptions = {}): ClaimOutcome<S> {
    if (steps.length === 0) return { claimed: [], held: [], materialized: [] };
    return this.claimTx.immediate(runId, steps, opts) as ClaimOutcome<S>;
  }

  release(runId: string, steps?: readonly StepRef[]): void {
    if (steps === undefined) {
      this.releaseAll.run(runId);
      return;
    }
    if (steps.length > 0) this.releaseTx.immediate(runId, steps);
  }

  private claimAll(runId: string, steps: readonly StepRef[], opts: ClaimOptions): ClaimOutcome<StepRef> {
    const owner = this.ownerOf(runId, steps[0]);
    const now = new Date().toISOString();
    // One verdict per holding run, however many of its steps the batch meets.
    const verdicts = new Map<string, RunHolder | null>();
    const outcome: ClaimOutcome<StepRef> = { claimed: [], held: [], materialized: [] };
    for (const step of steps) {
      const partitionKey = step.partitionKey ?? UNPARTITIONED;
      if (opts.skipMaterialized && this.isMaterialized.get(step.assetKey, partitionKey)) {
        outcome.materialized.push(step);
        continue;
      }
      const holder = this.take(step.assetKey, partitionKey, runId, owner, now, verdicts);
      if (holder) outcome.held.push({ step, holder });
      else outcome.claimed.push(step);
    }
    return outcome;
  }

  private ownerOf(runId: string, step: StepRef): Owner {
    const owner = this.runOwner.get(runId);
    if (owner) return owner;
    throw new StorageError(
      "unknown_run",
      `cannot claim ${step.assetKey}[${step.partitionKey}]: run ${runId} does not exist`,
      {
        userError: false,
        context: { asset: step.assetKey, partition: step.partitionKey, runId },
        hint: "create the run with createRun before claiming its steps",
      },
    );
  }

  /**
   * Takes one step's claim when it is free, already this run's, or held by a run that is not
   * live (which is then marked interrupted). Returns the live holder otherwise.
   */
  private take(
    assetKey: string,
    partitionKey: string,
    runId: string,
    owner: Owner,
    now: string,
    verdicts: Map<string, RunHolder | null>,
  ): RunHolder | undefined {
    if (this.insert.run(assetKey, partitionKey, runId, owner.pid, owner.host, now).changes === 1) {
      return undefined;
    }
    const row = this.holder.get(assetKey, partitionKey);
    if (!row || row.run_id === runId) return undefined;
    let live = verdicts.get(row.run_id);
    if (live === undefined) {
      const state = holderState({
        runId: row.run_id,
        status: row.status,
        pid: row.pid,
        host: row.host,
        leaseExpiresAt: row.lease_expires_at,
        now: row.now,
      });
      live = state === "live" ? { runId: row.run_id, host: row.host, pid: row.pid } : null;
      // A run found dead gives up all its claims at once, not one step at a time.
      if (state === "lease-expired" || state === "process-gone") this.runs.interrupt(row.run_id, now);
      verdicts.set(row.run_id, live);
    }
    if (live) return live;
    if (this.insert.run(assetKey, partitionKey, runId, owner.pid, owner.host, now).changes === 0) {
      this.takeOver.run(runId, owner.pid, owner.host, now, assetKey, partitionKey);
    }
    return undefined;
  }
}
