/**
 * How a batch of events reaches PostgreSQL: `appendEvents` sends it as one JSON document
 * (`json_to_recordset`). Baseline, interleaved batch by batch on the same connection: the same rows
 * inserted with one array parameter per column, the form used before, which node-postgres escapes
 * element by element in JavaScript. 50 events of ~1.5 KB metadata per batch (a generation run's
 * batches are of that size); median of RUNS batches each. The JSON figure also includes the
 * partition-state upsert `appendEvents` makes in the same transaction, so it is the larger job.
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
  const json: number[] = [];
  const arrays: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const events = batch();
    let start = performance.now();
    storage.appendEvents(events);
    const a = performance.now() - start;
    const rows = batch();
    start = performance.now();
    storage.connection.query(
      `INSERT INTO event_log (run_id, type, asset_key, partition_key, timestamp, duration_ms, metadata, error, message)
       SELECT r, t, a, p, ts, d, m, NULL, NULL
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::text[])
         WITH ORDINALITY AS b(r, t, a, p, ts, d, m, n)
       ORDER BY n RETURNING id`,
      [
        rows.map((e) => e.runId),
        rows.map((e) => e.type),
        rows.map((e) => e.assetKey),
        rows.map((e) => e.partitionKey),
        rows.map((e) => e.timestamp),
        rows.map((e) => e.durationMs),
        rows.map((e) => JSON.stringify(e.metadata)),
      ],
      "bench array insert",
    );
    const b = performance.now() - start;
    // The first pair warms both statements up.
    if (i > 0) {
      json.push(a);
      arrays.push(b);
    }
  }
  const [j, r] = [median(json), median(arrays)];
  console.log(
    `RESULT appendEvents of ${BATCH} events (~1.5 KB metadata each) on PostgreSQL, JSON batch + state upsert | median ${j.toFixed(2)} ms | baseline the events alone as array parameters: median ${r.toFixed(2)} ms | ratio ${(j / r).toFixed(2)}`,
  );
} finally {
  storage.close();
  await server.stop();
}
