import type { AppendHook, SyncConnection } from "@daydream/postgres";
import { addStepJobs, type StepJob } from "./jobs.ts";

/** How a step of a queued run ended. */
export type StepOutcome = "succeeded" | "failed" | "skipped" | "canceled";

export interface Settlement {
  run: string;
  assetKey: string;
  /** "" for an unpartitioned asset. */
  partitionKey: string;
  outcome: StepOutcome;
}

interface SettledRow {
  run_id: string;
  node: number;
  status: StepOutcome;
  asset_key: string | null;
  partition_key: string | null;
}

interface ReleasedRow {
  run_id: string;
  node: number;
  asset_key: string | null;
  partition_key: string | null;
  waiting_on: number;
  queue_name: string;
}

const label = (assetKey: string, partitionKey: string | null): string =>
  partitionKey ? `${assetKey}[${partitionKey}]` : assetKey;

/**
 * Records how steps of queued runs ended and moves their runs on, inside the caller's
 * transaction: the downstream nodes of a success lose one upstream, and those left with none are
 * enqueued (barriers pass straight through); everything downstream of a failure is skipped, with
 * a step_skipped event; a run with nothing left open ends, with a run_end event. Steps already
 * settled are left as they are, so settling twice (a retried job) changes nothing.
 */
export function settleSteps(
  conn: SyncConnection,
  workerSchema: string,
  settlements: readonly Settlement[],
): void {
  if (settlements.length === 0) return;
  const { rows } = conn.query<SettledRow>(
    `UPDATE queue_steps q SET status = u.o, worker_run = NULL
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(r, a, p, o)
     WHERE q.run_id = u.r AND q.asset_key = u.a AND q.partition_key = u.p AND q.status IN ('waiting', 'queued')
     RETURNING q.run_id, q.node, q.status, q.asset_key, q.partition_key`,
    [
      settlements.map((s) => s.run),
      settlements.map((s) => s.assetKey),
      settlements.map((s) => s.partitionKey),
      settlements.map((s) => s.outcome),
    ],
    "settle queued steps",
  );
  if (rows.length === 0) return;
  const now = new Date().toISOString();
  const closed = new ClosedNodes();
  closed.add(rows);
  closed.add(
    releaseDownstream(
      conn,
      workerSchema,
      rows.filter((r) => r.status === "succeeded"),
    ),
  );
  closed.add(
    skipDownstream(
      conn,
      rows.filter((r) => r.status !== "succeeded"),
      now,
    ),
  );
  closeNodes(conn, closed, now);
}

/** Nodes settled in one transaction, counted per run. */
export class ClosedNodes {
  readonly byRun = new Map<string, number>();

  add(rows: readonly { run_id: string }[]): void {
    for (const r of rows) this.byRun.set(r.run_id, (this.byRun.get(r.run_id) ?? 0) + 1);
  }
}

/**
 * The hook that keeps queued runs in step with the event log (PostgresStorage `afterAppend`).
 * Successes of `deferred` assets are left to the worker, which settles them after their checks.
 */
export function settleOnAppend(workerSchema: string, deferred: ReadonlySet<string>): AppendHook {
  return (conn, events) => {
    const settlements: Settlement[] = [];
    for (const e of events) {
      if (e.assetKey === null) continue;
      if (e.type === "materialization" && deferred.has(e.assetKey)) continue;
      if (e.type === "materialization" || e.type === "step_failure") {
        settlements.push({
          run: e.runId,
          assetKey: e.assetKey,
          partitionKey: e.partitionKey ?? "",
          outcome: e.type === "materialization" ? "succeeded" : "failed",
        });
      }
    }
    settleSteps(conn, workerSchema, settlements);
  };
}

/** Returns the barriers it passed (settled as succeeded). */
function releaseDownstream(
  conn: SyncConnection,
  workerSchema: string,
  done: readonly SettledRow[],
): { run_id: string }[] {
  const passed: { run_id: string }[] = [];
  let from = done.map((r) => ({ run: r.run_id, node: r.node }));
  while (from.length > 0) {
    const { rows } = conn.query<ReleasedRow>(
      `WITH done AS (SELECT * FROM unnest($1::text[], $2::int[]) AS d(r, n)),
       children AS (
         SELECT q.run_id AS r, c AS n, count(*)::int AS k
         FROM done JOIN queue_steps q ON q.run_id = done.r AND q.node = done.n, unnest(q.downstream) AS c
         GROUP BY q.run_id, c)
       UPDATE queue_steps q SET waiting_on = q.waiting_on - children.k,
         status = CASE WHEN q.waiting_on - children.k > 0 THEN 'waiting'
                       WHEN q.asset_key IS NULL THEN 'succeeded' ELSE 'queued' END
       FROM children, queue_runs qr
       WHERE q.run_id = children.r AND q.node = children.n AND q.status = 'waiting' AND qr.run_id = q.run_id
       RETURNING q.run_id, q.node, q.asset_key, q.partition_key, q.waiting_on, qr.queue_name`,
      [from.map((f) => f.run), from.map((f) => f.node)],
      "release downstream steps",
    );
    const ready = rows.filter((r) => r.waiting_on <= 0);
    const jobs: StepJob[] = [];
    for (const r of ready) {
      if (r.asset_key === null) continue;
      jobs.push({
        run: r.run_id,
        node: r.node,
        assetKey: r.asset_key,
        partitionKey: r.partition_key ?? "",
        queue: r.queue_name,
      });
    }
    addStepJobs(conn, workerSchema, jobs);
    // A barrier is done once its upstream is: its own downstream is released next.
    const barriers = ready.filter((r) => r.asset_key === null);
    passed.push(...barriers);
    from = barriers.map((r) => ({ run: r.run_id, node: r.node }));
  }
  return passed;
}

/** Returns the nodes it skipped (barriers included). */
function skipDownstream(
  conn: SyncConnection,
  ended: readonly SettledRow[],
  now: string,
): { run_id: string }[] {
  if (ended.length === 0) return [];
  const { rows } = conn.query<{
    run_id: string;
    asset_key: string | null;
    partition_key: string | null;
    cause: string;
  }>(
    `WITH RECURSIVE ended AS (SELECT * FROM unnest($1::text[], $2::int[], $3::text[]) AS e(r, n, cause)),
     down(run_id, node, cause) AS (
       SELECT q.run_id, c, ended.cause FROM ended JOIN queue_steps q ON q.run_id = ended.r AND q.node = ended.n,
         unnest(q.downstream) AS c
       UNION
       SELECT q.run_id, c, down.cause FROM down JOIN queue_steps q ON q.run_id = down.run_id AND q.node = down.node,
         unnest(q.downstream) AS c)
     UPDATE queue_steps q SET status = 'skipped'
     FROM (SELECT DISTINCT ON (run_id, node) run_id, node, cause FROM down) d
     WHERE q.run_id = d.run_id AND q.node = d.node AND q.status = 'waiting'
     RETURNING q.run_id, q.asset_key, q.partition_key, d.cause`,
    [
      ended.map((r) => r.run_id),
      ended.map((r) => r.node),
      ended.map((r) => `upstream ${r.status}: ${label(r.asset_key ?? "", r.partition_key)}`),
    ],
    "skip downstream steps",
  );
  const skipped = rows.filter((r) => r.asset_key !== null);
  if (skipped.length === 0) return rows;
  conn.query(
    `INSERT INTO event_log (run_id, type, asset_key, partition_key, timestamp, message)
     SELECT r, 'step_skipped', a, p, $4, m FROM unnest($1::text[], $2::text[], $3::text[], $5::text[]) AS x(r, a, p, m)`,
    [
      skipped.map((r) => r.run_id),
      skipped.map((r) => r.asset_key),
      skipped.map((r) => r.partition_key),
      now,
      skipped.map((r) => r.cause),
    ],
    "record skipped steps",
  );
  return rows;
}

/**
 * Takes the settled nodes off their runs' open counts and ends the runs left with none: failed if
 * any step did not succeed, canceled if any was canceled. Only an ending run's steps are scanned.
 */
export function closeNodes(conn: SyncConnection, closed: ClosedNodes, now: string): void {
  if (closed.byRun.size === 0) return;
  const { rows: done } = conn.query<{ run_id: string; open_nodes: number }>(
    `UPDATE queue_runs q SET open_nodes = q.open_nodes - c.n
     FROM unnest($1::text[], $2::int[]) AS c(r, n)
     WHERE q.run_id = c.r
     RETURNING q.run_id, q.open_nodes`,
    [[...closed.byRun.keys()], [...closed.byRun.values()]],
    "count open nodes",
  );
  const ending = done.filter((r) => r.open_nodes === 0);
  if (ending.length === 0) return;
  const { rows } = conn.query<{ run_id: string; status: string }>(
    `WITH counts AS (
       SELECT run_id,
         count(*) FILTER (WHERE asset_key IS NOT NULL AND status = 'succeeded') AS succeeded,
         count(*) FILTER (WHERE asset_key IS NOT NULL AND status = 'failed') AS failed,
         count(*) FILTER (WHERE asset_key IS NOT NULL AND status = 'skipped') AS skipped,
         count(*) FILTER (WHERE asset_key IS NOT NULL AND status = 'canceled') AS canceled
       FROM queue_steps WHERE run_id = ANY($1::text[]) GROUP BY run_id)
     UPDATE runs r SET
       status = CASE WHEN c.canceled > 0 THEN 'canceled' WHEN c.failed + c.skipped > 0 THEN 'failed' ELSE 'succeeded' END,
       ended_at = $2,
       tags = (r.tags::jsonb || jsonb_build_object('succeeded', c.succeeded::text, 'failed', c.failed::text,
         'skipped', c.skipped::text, 'canceled', c.canceled::text))::text
     FROM counts c
     WHERE r.run_id = c.run_id AND r.status IN ('queued', 'started')
     RETURNING r.run_id, r.status`,
    [ending.map((r) => r.run_id), now],
    "finish queued runs",
  );
  if (rows.length === 0) return;
  conn.query(
    `INSERT INTO event_log (run_id, type, timestamp, message)
     SELECT r, 'run_end', $3, s FROM unnest($1::text[], $2::text[]) AS x(r, s)`,
    [rows.map((r) => r.run_id), rows.map((r) => r.status), now],
    "record run ends",
  );
}
