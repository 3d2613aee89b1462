import {
  assertSlotRelease,
  assertSlotRequest,
  type RunStatus,
  slotRunProblem,
  slotsToTake,
} from "@daydream/core";
import type { SyncConnection } from "../connection/sync-connection.ts";
import { SQL_NOW_MS } from "../schema/schema.ts";
import { judge, type RunQueries } from "./runs.ts";

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
 * Semaphore slots on PostgreSQL: at most `limit` slots of a name held across every process on
 * every machine. An acquire locks the semaphore's row (FOR UPDATE) before counting, so acquirers
 * of one name take turns; under READ COMMITTED each later statement then sees every slot taken
 * or given back before the lock was granted. Slots of runs that are not live are freed on the way.
 */
export class SemaphoreQueries {
  constructor(
    private readonly conn: SyncConnection,
    private readonly runs: RunQueries,
  ) {}

  acquire(runId: string, name: string, limit: number, count = 1): number {
    assertSlotRequest(name, limit, count);
    this.assertRunning(runId, name);
    // Waiters poll: when every slot is held by a live run, answer without locking anything.
    const { held, dead } = split(runId, this.holders(name));
    if (dead.length === 0 && slotsToTake(held, limit, count) === 0) return 0;
    return this.conn.transaction("acquire semaphore slots", () => {
      this.lock(name);
      this.assertRunning(runId, name);
      for (const row of split(runId, this.holders(name)).dead) {
        if (row.state === "finished") this.dropRun(row.runId);
        // Frees the run's slots unless its heartbeat got in first (then they stay, counted below).
        else this.runs.interrupt(row.runId, row.state === "lease-expired");
      }
      const taken = slotsToTake(this.heldNow(name), limit, count);
      if (taken > 0) {
        this.conn.query(
          `INSERT INTO semaphore_slots (name, run_id, count, acquired_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (name, run_id) DO UPDATE SET count = semaphore_slots.count + EXCLUDED.count`,
          [name, runId, taken, new Date().toISOString()],
          "take semaphore slots",
        );
      }
      return taken;
    });
  }

  release(runId: string, name: string, count?: number): void {
    assertSlotRelease(name, count);
    if (count === undefined) {
      this.conn.query(
        "DELETE FROM semaphore_slots WHERE name = $1 AND run_id = $2",
        [name, runId],
        "release semaphore slots",
      );
      return;
    }
    // Giving back all the run holds, or more, drops its row; fewer lowers its count.
    this.conn.transaction("release semaphore slots", () => {
      const { rowCount } = this.conn.query(
        "DELETE FROM semaphore_slots WHERE name = $1 AND run_id = $2 AND count <= $3",
        [name, runId, count],
        "release semaphore slots",
      );
      if (rowCount === 0)
        this.conn.query(
          "UPDATE semaphore_slots SET count = count - $3 WHERE name = $1 AND run_id = $2 AND count > $3",
          [name, runId, count],
          "release semaphore slots",
        );
    });
  }

  /** Every slot of the run, whatever the semaphore (the run has ended). */
  releaseAll(runId: string): void {
    this.dropRun(runId);
  }

  private dropRun(runId: string): void {
    this.conn.query("DELETE FROM semaphore_slots WHERE run_id = $1", [runId], "release semaphore slots");
  }

  /** Waits for the semaphore's row lock, creating the row on first use. */
  private lock(name: string): void {
    this.conn.query(
      "INSERT INTO semaphores (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
      [name],
      "create semaphore",
    );
    this.conn.query("SELECT name FROM semaphores WHERE name = $1 FOR UPDATE", [name], "lock semaphore");
  }

  private assertRunning(runId: string, name: string): void {
    const run = this.conn.query<{ status: RunStatus; lease_expires_at: number | null }>(
      "SELECT status, lease_expires_at FROM runs WHERE run_id = $1",
      [runId],
      "read run",
    ).rows[0];
    const problem = slotRunProblem(runId, name, run);
    if (problem) throw problem;
  }

  private holders(name: string): SlotRow[] {
    return this.conn.query<SlotRow>(
      `SELECT s.run_id, s.count, r.pid, r.host, r.status, r.lease_expires_at, ${SQL_NOW_MS} AS now
       FROM semaphore_slots s LEFT JOIN runs r ON r.run_id = s.run_id
       WHERE s.name = $1`,
      [name],
      "read semaphore slots",
    ).rows;
  }

  /**
   * Slots of `name` held once the dead runs' are freed: the live runs', and those of a run whose
   * heartbeat beat the interrupt (live after all).
   */
  private heldNow(name: string): number {
    return this.conn.query<{ held: number }>(
      "SELECT COALESCE(SUM(count), 0)::int AS held FROM semaphore_slots WHERE name = $1",
      [name],
      "count semaphore slots",
    ).rows[0].held;
  }
}

type Verdict = { runId: string; state: "finished" | "lease-expired" | "process-gone" };

/** The live runs' slot count (the caller's own included) and the runs whose slots are not live. */
function split(runId: string, rows: SlotRow[]): { held: number; dead: Verdict[] } {
  let held = 0;
  const dead: Verdict[] = [];
  for (const row of rows) {
    const state =
      row.run_id === runId
        ? "live"
        : row.status === null
          ? "finished"
          : judge({
              run_id: row.run_id,
              status: row.status,
              pid: row.pid ?? 0,
              host: row.host ?? "",
              lease_expires_at: row.lease_expires_at,
              now: row.now,
            });
    if (state === "live") held += row.count;
    else dead.push({ runId: row.run_id, state });
  }
  return { held, dead };
}
