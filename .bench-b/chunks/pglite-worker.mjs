// The PGlite thread of the collector's embedded store (store-pglite.ts starts it): PostgreSQL in
// WASM runs here, so its CPU is not the HTTP server's. Plain JavaScript (loaded as it is from src/
// under the tests and copied beside the built chunk by rollup.config.mjs), no logic of its own:
// it runs each statement it is sent and answers with the rows or the error's fields.
import { parentPort, workerData } from 'node:worker_threads';

/**
 * An error as data: its own fields of plain values (a pg error's code, detail, …: the store reads
 * `code`), its name and message. Nothing that could not be posted (a function, a handle).
 */
const fields = (e) => {
  const out = {};
  if (e && typeof e === 'object') for (const [k, v] of Object.entries(e)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[k] = v;
  return { ...out, name: String(e?.name ?? 'Error'), message: String(e?.message ?? e) };
};

let db;
try {
  const { PGlite } = await import('@electric-sql/pglite');
  db = await PGlite.create(workerData.dataDir);
  parentPort.postMessage({ ready: true });
} catch (e) {
  parentPort.postMessage({ ready: false, error: fields(e) });
}

// The driver (store-pglite.ts) sends one statement at a time and keeps a transaction's together.
parentPort.on('message', async ({ id, op, sql, params }) => {
  try {
    if (op === 'close') return parentPort.postMessage({ id, result: await db?.close() });
    const r = op === 'exec' ? (await db.exec(sql)).map((x) => ({ rows: x.rows })) : { rows: (await db.query(sql, params)).rows };
    parentPort.postMessage({ id, result: r });
  } catch (e) {
    parentPort.postMessage({ id, error: fields(e) });
  }
});
