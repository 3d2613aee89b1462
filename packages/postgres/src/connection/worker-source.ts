/**
 * The worker thread behind SyncConnection: it owns one pg client and answers each request on the
 * message port, then wakes the waiting caller through the shared flag. Plain CommonJS as a
 * string (run with `eval: true`), so that it runs the same from the TypeScript sources and from
 * the CLI's esbuild bundle; pg is loaded from the path the caller resolved.
 */
export const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const pg = require(workerData.pgPath);
// int8 (counts, epoch ms, ids) as numbers: every value we store fits in 2^53.
pg.types.setTypeParser(20, (value) => Number(value));
const { port, flag } = workerData;
const signal = new Int32Array(flag);
const client = new pg.Client({
  connectionString: workerData.connectionString,
  application_name: workerData.applicationName,
  connectionTimeoutMillis: workerData.connectTimeoutMs,
});
let broken;
client.on("error", (err) => { broken = err; });

function reply(message) {
  port.postMessage(message);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

function describe(err) {
  return {
    message: String(err && err.message),
    code: err && err.code,
    detail: err && err.detail,
    constraint: err && err.constraint,
  };
}

const ready = client.connect().then(() => client.query(workerData.setupSql));
ready.catch(() => {});

port.on("message", async (request) => {
  try {
    await ready;
    if (broken) throw broken;
    if (request.close) {
      await client.end();
      reply({ ok: true, rows: [], rowCount: 0 });
      port.close();
      return;
    }
    if (request.begin) await client.query("BEGIN");
    const result = await client.query({ text: request.sql, values: request.params });
    const last = Array.isArray(result) ? result[result.length - 1] : result;
    reply({ ok: true, rows: last.rows || [], rowCount: last.rowCount || 0 });
  } catch (err) {
    reply({ ok: false, error: describe(err) });
  }
});
`;
