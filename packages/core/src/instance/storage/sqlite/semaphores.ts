import type Database from "better-sqlite3";
import { holderState } from "../../leases.ts";
import type { RunStatus } from "../../types.ts";
import { assertSlotRelease, assertSlotRequest, slotRunProblem, slotsToTake } from "../semaphore-slots.ts";
import { SQL_NOW_MS } from "./clock.ts";
import type { RunQueries } from "./runs.ts";

interface SlotRow {
  run_id: string;
  count: number;
  pid: number | null;
  host: string | null;
  status: RunStatus | null;
  lease_expires_at: number | null;
  now: number;
}

/**
 * Semaphore slots: at most `limit` slots of a name held across every process sharing the
 * instance. A slot belongs to a run and counts only while that run is live (see leases.ts); the
 * next acquire frees the slots of runs that are not, in its IMMEDIATE transaction, so two
 * processes asking at once serialize on the write lock and cannot both take the last slot.
 */
export class SemaphoreQueries {
  private readonly runOf: Database.Statement<
    [string],
    { status: RunStatus; lease_expires_at: number | null }
  >;
  private readonly holders: Database.Statement<[string], SlotRow>;
  private readonly take: Database.Statement<[string, string, number, string]>;
  private readonly dropRun: Database.Statement<[string]>;
  private readonly giveBack: Database.Statement<[number, string, string, number]>;
  private readonly dropSpent: Database.Statement<[string, string, number]>;
  private readonly dropOne: Database.Statement<[string, string]>;
  private readonly acquireTx: Database.Transaction<
    (runId: string, name: string, limit: number, count: number) => number
  >;
  private readonly releaseTx: Database.Transaction<(runId: string, name: string, count: number) => void>;

  constructor(
    db: Database.Database,
    private readonly runs: RunQueries,
  ) {
    this.runOf = db.prepare("SELECT status, lease_expires_at FROM runs WHERE run_id = ?");
    this.holders = db.prepare(
      `SELECT s.run_id, s.count, r.pid, r.host, r.status, r.lease_expires_at, ${SQL_NOW_MS} AS now
       FROM semaphore_slots s LEFT JOIN runs r ON r.run_id = s.run_id
       WHERE s.name = ?`,
    );
    this.take = db.prepare(
      `INSERT INTO semaphore_slots (name, run_id, count, acquired_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name, run_id) DO UPDATE SET count = count + excluded.count`,
    );
    this.dropRun = db.prepare("DELETE FROM semaphore_slots WHERE run_id = ?");
    this.giveBack = db.prepare(
      "UPDATE semaphore_slots SET count = count - ? WHERE name = ? AND run_id = ? AND count > ?",
    );
    this.dropSpent = db.prepare("DELETE FROM semaphore_slots WHERE name = ? AND run_id = ? AND count <= ?");
    this.dropOne = db.prepare("DELETE FROM semaphore_slots WHERE name = ? AND run_id = ?");
    this.acquireTx = db.transaction((runId: string, name: string, limit: number, count: number) =>
      this.acquireLocked(runId, name, limit, count),
    );
    this.releaseTx = db.transaction((runId: string, name: string, count: number) => {
      // Giving back all the run holds, or more, drops its row; fewer lowers its count.
      if (this.dropSpent.run(name, runId, count).changes === 0) this.giveBack.run(count, name, runId, count);
    });
  }

  acquire(runId: string, name: string, limit: number, count = 1): number {
    assertSlotRequest(name, limit, count);
    this.assertRunning(runId, name);
    // Waiters poll: when every slot is held by a live run, answer without taking the write lock.
    const { held, dead } = this.judge(runId, this.holders.all(name));
    if (dead.length === 0 && slotsToTake(held, limit, count) === 0) return 0;
    return this.acquireTx.immediate(runId, name, limit, count);
  }

  release(runId: string, name: string, count?: number): void {
    assertSlotRelease(name, count);
    if (count === undefined) this.dropOne.run(name, runId);
    else this.releaseTx.immediate(runId, name, count);
  }

  /** Every slot of the run, whatever the semaphore (the run has ended). */
  releaseAll(runId: string): void {
    this.dropRun.run(runId);
  }

  private acquireLocked(runId: string, name: string, limit: number, count: number): number {
    this.assertRunning(runId, name);
    const { held, dead } = this.judge(runId, this.holders.all(name));
    const now = new Date().toISOString();
    for (const { runId: gone, finished } of dead) {
      // A dead run gives up its claims and all its slots at once, as a claim takeover does.
      if (finished) this.dropRun.run(gone);
      else this.runs.interrupt(gone, now);
    }
    const taken = slotsToTake(held, limit, count);
    if (taken > 0) this.take.run(name, runId, taken, now);
    return taken;
  }

  private assertRunning(runId: string, name: string): void {
    const problem = slotRunProblem(runId, name, this.runOf.get(runId));
    if (problem) throw problem;
  }

  /** Slots held by live runs (the caller's own included), and the runs whose slots are not live. */
  private judge(
    runId: string,
    rows: SlotRow[],
  ): { held: number; dead: { runId: string; finished: boolean }[] } {
    let held = 0;
    const dead: { runId: string; finished: boolean }[] = [];
    for (const row of rows) {
      const state =
        row.run_id === runId
          ? "live"
          : row.status === null
            ? "finished"
            : holderState({
                runId: row.run_id,
                status: row.status,
                pid: row.pid ?? 0,
                host: row.host ?? "",
                leaseExpiresAt: row.lease_expires_at,
                now: row.now,
              });
      if (state === "live") held += row.count;
      else dead.push({ runId: row.run_id, finished: state === "finished" });
    }
    return { held, dead };
  }
}
