import type Database from "better-sqlite3";
import { StorageError } from "../../../errors.ts";
import type { RunStatus, StepRef } from "../../types.ts";
import { UNPARTITIONED } from "./partition-state.ts";
import { currentHost, isProcessAlive } from "./process-liveness.ts";

interface Holder {
  run_id: string;
  pid: number;
  host: string;
  status: RunStatus | null;
}

interface Owner {
  pid: number;
  host: string;
}

/**
 * Step claims: at most one run computes an (asset, partition) at once. A claim
 * carries the pid and host of its run, so a claim whose process died (or whose
 * run already ended) can be taken over.
 */
export class ClaimQueries {
  private readonly runOwner: Database.Statement<[string], Owner>;
  private readonly insert: Database.Statement<[string, string, string, number, string, string]>;
  private readonly holder: Database.Statement<[string, string], Holder>;
  private readonly takeOver: Database.Statement<[string, number, string, string, string, string]>;
  private readonly releaseAll: Database.Statement<[string]>;
  private readonly releaseOne: Database.Statement<[string, string, string]>;
  private readonly claimTx: Database.Transaction<(runId: string, steps: readonly StepRef[]) => StepRef[]>;
  private readonly releaseTx: Database.Transaction<(runId: string, steps: readonly StepRef[]) => void>;

  constructor(db: Database.Database) {
    this.runOwner = db.prepare("SELECT pid, host FROM runs WHERE run_id = ?");
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO step_claims (asset_key, partition_key, run_id, pid, host, claimed_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.holder = db.prepare(
      `SELECT c.run_id, c.pid, c.host, r.status FROM step_claims c LEFT JOIN runs r ON r.run_id = c.run_id
       WHERE c.asset_key = ? AND c.partition_key = ?`,
    );
    this.takeOver = db.prepare(
      `UPDATE step_claims SET run_id = ?, pid = ?, host = ?, claimed_at = ?
       WHERE asset_key = ? AND partition_key = ?`,
    );
    this.releaseAll = db.prepare("DELETE FROM step_claims WHERE run_id = ?");
    this.releaseOne = db.prepare(
      "DELETE FROM step_claims WHERE asset_key = ? AND partition_key = ? AND run_id = ?",
    );
    this.claimTx = db.transaction((runId: string, steps: readonly StepRef[]) => {
      const owner = this.ownerOf(runId, steps[0]);
      const now = new Date().toISOString();
      // One liveness check per holding run, however many of its steps the batch meets.
      const alive = new Map<string, boolean>();
      const claimed: StepRef[] = [];
      for (const step of steps) {
        if (this.take(step, runId, owner, now, alive)) claimed.push(step);
      }
      return claimed;
    });
    this.releaseTx = db.transaction((runId: string, steps: readonly StepRef[]) => {
      for (const step of steps) this.releaseOne.run(step.assetKey, step.partitionKey ?? UNPARTITIONED, runId);
    });
  }

  /** IMMEDIATE, so two processes racing for one step serialize on the write lock. */
  claim(assetKey: string, partitionKey: string | undefined, runId: string): boolean {
    const step = { assetKey, partitionKey: partitionKey ?? UNPARTITIONED };
    return this.claimTx.immediate(runId, [step]).length === 1;
  }

  /** Claims many steps in one IMMEDIATE transaction; returns those taken, in the order given. */
  claimMany<S extends StepRef>(runId: string, steps: readonly S[]): S[] {
    if (steps.length === 0) return [];
    return this.claimTx.immediate(runId, steps) as S[];
  }

  release(runId: string, steps?: readonly StepRef[]): void {
    if (steps === undefined) {
      this.releaseAll.run(runId);
      return;
    }
    if (steps.length > 0) this.releaseTx.immediate(runId, steps);
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

  /** Takes one step's claim when it is free, already this run's, or held by a dead or finished run. */
  private take(
    step: StepRef,
    runId: string,
    owner: Owner,
    now: string,
    alive: Map<string, boolean>,
  ): boolean {
    const partitionKey = step.partitionKey ?? UNPARTITIONED;
    if (this.insert.run(step.assetKey, partitionKey, runId, owner.pid, owner.host, now).changes === 1) {
      return true;
    }
    const holder = this.holder.get(step.assetKey, partitionKey);
    if (!holder || holder.run_id === runId) return true;
    let holderAlive = alive.get(holder.run_id);
    if (holderAlive === undefined) {
      holderAlive = holderIsAlive(holder);
      alive.set(holder.run_id, holderAlive);
    }
    if (holderAlive) return false;
    this.takeOver.run(runId, owner.pid, owner.host, now, step.assetKey, partitionKey);
    return true;
  }
}

/** A holder is alive while its run is unfinished and, on this host, its process exists. */
function holderIsAlive(holder: Holder): boolean {
  if (holder.status !== "queued" && holder.status !== "started") return false;
  if (holder.host !== currentHost()) return true;
  return isProcessAlive(holder.pid);
}
