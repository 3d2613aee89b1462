/**
 * How a batch of events reaches PostgreSQL: `appendEvents` sends it as one JSON document
 * (`json_to_recordset`). Measured here as the bare INSERT of 50 events of ~1.5 KB metadata each (a
 * generation run's batches are of that size) in that form; baseline, interleaved batch by batch on
 * the same connection: the same INSERT with one array parameter per column, the form used before,
 * which node-postgres escapes element by element in JavaScript. Median of RUNS batches each; also
 * the whole `appendEvents` call (its transaction and partition-state upsert included) for scale.
 */
import { PostgresStorage } from "../packages/postgres/src/index.ts";
import { startBenchPostgres } from "./postgres-server.ts";

const BATCH = 50;
const RUNS = 21;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const server = await startBenchPostgres();
const storage = new PostgresStorage(server.schemaUrl("append"));
try {
  storage.createRun({
    runId: "bench",
    status: "started",
    selection: "evaluation_response",
    partitionsSummary: "all",
    stepCount: 0,
    pid: process.pid,
    host: "bench",
    tags: {},
  });
  const metadata = { text: 'an "evaluation" with quotes\\and backslashes '.repeat(35), chars: 1500 };
  let next = 0;
  const batch = () =>
    Array.from({ length: BATCH }, () => ({
      runId: "bench",
      type: "materialization" as const,
      assetKey: "evaluation_response",
      partitionKey: `p${next++}`,
      timestamp: new Date().toISOString(),
      durationMs: 100,
      metadata,
    }));
  const insert = (from: string) =>
    `INSERT INTO event_log (run_id, type, asset_key, partition_key, timestamp, duration_ms, metadata, error, message)
     SELECT r, t, a, p, ts, d, m, NULL, NULL FROM ${from} ORDER BY n RETURNING id`;
  const json: number[] = [];
  const arrays: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const rows = batch().map((e) => ({
      r: e.runId,
      t: e.type,
      a: e.assetKey,
      p: e.partitionKey,
      ts: e.timestamp,
      d: e.durationMs,
      m: JSON.stringify(e.metadata),
    }));
    let start = performance.now();
    storage.connection.query(
      insert(`ROWS FROM (json_to_recordset($1::json) AS (r text, t text, a text, p text, ts text,
        d float8, m text)) WITH ORDINALITY AS b(r, t, a, p, ts, d, m, n)`),
      [JSON.stringify(rows)],
      "bench json insert",
    );
    const a = performance.now() - start;
    const more = batch().map((e) => ({ ...e, metadata: JSON.stringify(e.metadata) }));
    start = performance.now();
    storage.connection.query(
      insert(`unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::text[])
        WITH ORDINALITY AS b(r, t, a, p, ts, d, m, n)`),
      [
        more.map((e) => e.runId),
        more.map((e) => e.type),
        more.map((e) => e.assetKey),
        more.map((e) => e.partitionKey),
        more.map((e) => e.timestamp),
        more.map((e) => e.durationMs),
        more.map((e) => e.metadata),
      ],
      "bench array insert",
    );
    const b = performance.now() - start;
    start = performance.now();
    storage.appendEvents(batch());
    const c = performance.now() - start;
    // The first round warms the statements up.
    if (i > 0) {
      json.push(a);
      arrays.push(b);
      whole.push(c);
    }
  }
  const [j, r] = [median(json), median(arrays)];
  console.log(
    `RESULT INSERT of ${BATCH} events (~1.5 KB metadata each) on PostgreSQL as one JSON document | median ${j.toFixed(2)} ms | baseline the same as array parameters: median ${r.toFixed(2)} ms | ratio ${(j / r).toFixed(2)}`,
  );
  console.log(
    `  the whole appendEvents call of ${BATCH} such events (transaction, INSERT, partition-state upsert): median ${median(whole).toFixed(2)} ms`,
  );
} finally {
  storage.close();
  await server.stop();
}
