import {
  type ClaimOptions,
  type ClaimOutcome,
  type RunHolder,
  type RunStatus,
  type StepRef,
  StorageError,
} from "@daydream/core";
import type { SyncConnection } from "../connection/sync-connection.ts";
import { SQL_NOW_MS } from "../schema/schema.ts";
import { judge, type RunQueries } from "./runs.ts";

interface HolderRow {
  asset_key: string;
  partition_key: string;
  run_id: string;
  pid: number | null;
  host: string | null;
  status: RunStatus | null;
  lease_expires_at: number | null;
  now: number;
}

/**
 * Rounds of "take what is free, judge the holders of the rest" before a step counts as held. A
 * claim committed by another process while our insert waited on it is invisible to that round's
 * holder read (same statement, earlier snapshot) and is judged in the next round.
 */
const MAX_ROUNDS = 4;

const keyOf = (assetKey: string, partitionKey: string) => `${assetKey}\u0000${partitionKey}`;

/**
 * Step claims on PostgreSQL. Each statement sees what others committed and commits on its own
 * (no transaction: a claim is one round trip in the usual case), so a claim is taken with
 * INSERT ... ON CONFLICT DO NOTHING (atomic per row), a dead holder's claim is taken over only
 * while it is still that holder's (`AND run_id = dead`), and the "already materialized?"
 * re-check runs after the claim is held: the previous holder recorded its materialization
 * before releasing the claim, so the check cannot miss it. A process that dies midway leaves
 * claims of its run, taken over once its lease expires like any other.
 */
export class ClaimQueries {
  constructor(
    private readonly conn: SyncConnection,
    private readonly runs: RunQueries,
  ) {}

  claimMany<S extends StepRef>(runId: string, steps: readonly S[], opts: ClaimOptions = {}): ClaimOutcome<S> {
    if (steps.length === 0) return { claimed: [], held: [], materialized: [] };
    const owner = this.ownerOf(runId, steps[0]);
    const byKey = new Map<string, S>();
    for (const step of steps) byKey.set(keyOf(step.assetKey, step.partitionKey ?? ""), step);
    return this.conn.retrying(() => {
      // Built afresh by each attempt: a retried call must not report a step twice.
      const outcome: ClaimOutcome<S> = { claimed: [], held: [], materialized: [] };
      const claimed = new Set<string>();
      // Inserted by this call: given back if the call fails (no transaction rolls them back).
      const taken: string[] = [];
      // Final once set: only steps whose holder was dead or gone come back in `pending`.
      const held = new Map<string, RunHolder>();
      // One lock order for every process (sorted keys): overlapping batches queue, not deadlock.
      let pending = [...byKey.keys()].sort();
      for (let round = 1; pending.length > 0 && round <= MAX_ROUNDS; round++) {
        const { inserted, holders } = this.claimRound(runId, owner, pending);
        for (const key of inserted) claimed.add(key);
        taken.push(...inserted);
        const rest = pending.filter((k) => !claimed.has(k));
        pending = [];
        for (const row of holders) {
          const key = keyOf(row.asset_key, row.partition_key);
          if (row.run_id === runId) {
            claimed.add(key);
            continue;
          }
          const state = row.status === null ? "finished" : judge(row as Parameters<typeof judge>[0]);
          if (state === "live") {
            held.set(key, { runId: row.run_id, host: row.host ?? "", pid: row.pid ?? 0 });
            continue;
          }
          if (state !== "finished") this.runs.interrupt(row.run_id, state === "lease-expired");
          this.dropClaim(row.asset_key, row.partition_key, row.run_id);
          pending.push(key);
        }
        // A step whose claim vanished between the insert and the holder read is tried again.
        for (const key of rest)
          if (!claimed.has(key) && !held.has(key) && !pending.includes(key)) pending.push(key);
      }
      const done = opts.skipMaterialized
        ? this.materialized([...claimed, ...held.keys()])
        : new Set<string>();
      const giveBack: string[] = [];
      for (const [key, step] of byKey) {
        if (done.has(key)) {
          outcome.materialized.push(step);
          if (claimed.has(key)) giveBack.push(key);
        } else if (claimed.has(key)) outcome.claimed.push(step);
        else {
          const holder = held.get(key);
          if (holder) outcome.held.push({ step, holder });
          else {
            if (taken.length > 0) this.releaseKeys(runId, taken);
            throw contention(step);
          }
        }
      }
      if (giveBack.length > 0) this.releaseKeys(runId, giveBack);
      return outcome;
    });
  }

  release(runId: string, steps?: readonly StepRef[]): void {
    if (steps === undefined) {
      this.conn.query("DELETE FROM step_claims WHERE run_id = $1", [runId], "release steps");
      return;
    }
    if (steps.length > 0)
      this.releaseKeys(
        runId,
        steps.map((s) => keyOf(s.assetKey, s.partitionKey ?? "")),
      );
  }

  /** A run's pid and host never change: read once per run (a worker claims once per step). */
  private readonly owners = new Map<string, { pid: number; host: string }>();

  private ownerOf(runId: string, step: StepRef): { pid: number; host: string } {
    const known = this.owners.get(runId);
    if (known) return known;
    const owner = this.conn.query<{ pid: number; host: string }>(
      "SELECT pid, host FROM runs WHERE run_id = $1",
      [runId],
      "read run",
    ).rows[0];
    if (owner) {
      this.owners.set(runId, owner);
      return owner;
    }
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
   * One statement: inserts the free claims and reads the holders of the others (one round trip).
   * `inserted` are the keys now held by `runId` through this insert.
   */
  private claimRound(
    runId: string,
    owner: { pid: number; host: string },
    keys: string[],
  ): { inserted: string[]; holders: HolderRow[] } {
    const [assets, partitions] = split(keys);
    const { rows } = this.conn.query<HolderRow & { inserted: boolean }>(
      `WITH k AS (SELECT a, p FROM unnest($1::text[], $2::text[]) AS s(a, p)),
       ins AS (
         INSERT INTO step_claims (asset_key, partition_key, run_id, pid, host, claimed_at)
         SELECT a, p, $3, $4, $5, $6 FROM k ORDER BY a, p
         ON CONFLICT (asset_key, partition_key) DO NOTHING
         RETURNING asset_key, partition_key
       )
       SELECT asset_key, partition_key, $3 AS run_id, NULL::integer AS pid, NULL AS host, NULL AS status,
         NULL::bigint AS lease_expires_at, NULL::bigint AS now, true AS inserted
       FROM ins
       UNION ALL
       SELECT c.asset_key, c.partition_key, c.run_id, r.pid, r.host, r.status, r.lease_expires_at,
         ${SQL_NOW_MS} AS now, false AS inserted
       FROM step_claims c
       JOIN k ON c.asset_key = k.a AND c.partition_key = k.p
       LEFT JOIN runs r ON r.run_id = c.run_id
       WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.asset_key = c.asset_key AND ins.partition_key = c.partition_key)`,
      [assets, partitions, runId, owner.pid, owner.host, new Date().toISOString()],
      "claim steps",
    );
    const inserted: string[] = [];
    const holders: HolderRow[] = [];
    for (const row of rows) {
      if (row.inserted) inserted.push(keyOf(row.asset_key, row.partition_key));
      else holders.push(row);
    }
    return { inserted, holders };
  }

  /** Removes a claim only while `holder` still has it, so a claim someone else took meanwhile stays. */
  private dropClaim(assetKey: string, partitionKey: string, holder: string): void {
    this.conn.query(
      "DELETE FROM step_claims WHERE asset_key = $1 AND partition_key = $2 AND run_id = $3",
      [assetKey, partitionKey, holder],
      "take over claim",
    );
  }

  private materialized(keys: string[]): Set<string> {
    if (keys.length === 0) return new Set();
    const [assets, partitions] = split(keys);
    const { rows } = this.conn.query<{ asset_key: string; partition_key: string }>(
      `SELECT st.asset_key, st.partition_key FROM asset_partition_state st
       JOIN unnest($1::text[], $2::text[]) AS s(a, p) ON st.asset_key = s.a AND st.partition_key = s.p
       WHERE st.status = 'materialized'`,
      [assets, partitions],
      "re-check materialized steps",
    );
    return new Set(rows.map((r) => keyOf(r.asset_key, r.partition_key)));
  }

  private releaseKeys(runId: string, keys: string[]): void {
    const [assets, partitions] = split(keys);
    this.conn.query(
      `DELETE FROM step_claims c USING unnest($1::text[], $2::text[]) AS s(a, p)
       WHERE c.asset_key = s.a AND c.partition_key = s.p AND c.run_id = $3`,
      [assets, partitions, runId],
      "release steps",
    );
  }
}

function split(keys: readonly string[]): [string[], string[]] {
  const assets: string[] = [];
  const partitions: string[] = [];
  for (const key of keys) {
    const at = key.indexOf("\u0000");
    assets.push(key.slice(0, at));
    partitions.push(key.slice(at + 1));
  }
  return [assets, partitions];
}

function contention(step: StepRef): StorageError {
  return new StorageError(
    "claim_contention",
    `could not settle the claim of ${step.assetKey}[${step.partitionKey}]: it changed hands ${MAX_ROUNDS} times while claiming`,
    {
      userError: false,
      context: { asset: step.assetKey, partition: step.partitionKey },
      hint: "retry the run; many processes are taking over the same dead run's steps at once",
    },
  );
}
