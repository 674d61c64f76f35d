// The PGlite store's database, on a worker thread: PGlite runs its WASM PostgreSQL on the thread
// that calls it, so on the collector's own thread every statement would stall HTTP parsing and
// the event loop. Here the collector's thread only posts messages (store-pglite.ts).
// Plain JavaScript on purpose: the same file runs from src/ (tests) and dist/chunks/ (package).
// Messages in: { id, op: 'open', dataDir } | { id, op: 'query', sql, params, tx? } |
// { id, op: 'begin' } | { id, op: 'end', tx, commit } | { id, op: 'close' }.
// Messages out: { id, ok: value } or { id, error: { message, code, name } }. A statement's error
// keeps its PostgreSQL `code` (the store retries 40P01 / 40001 by it).
import { parentPort } from 'node:worker_threads';

let db;
let nextTx = 1;
/** Open transactions: tx id → { tx, commit, rollback, ended }. */
const open = new Map();
const ROLLBACK = Symbol('rollback');
const reply = (id, ok) => parentPort.postMessage({ id, ok });
const fail = (id, e) =>
  parentPort.postMessage({ id, error: { message: String(e?.message ?? e), code: typeof e?.code === 'string' ? e.code : undefined, name: String(e?.name ?? 'Error') } });

async function run(m) {
  switch (m.op) {
    case 'open': {
      const { PGlite } = await import('@electric-sql/pglite');
      db = await PGlite.create(m.dataDir);
      return true;
    }
    case 'query': {
      const on = m.tx === undefined ? db : open.get(m.tx)?.tx;
      if (!on) throw new Error(m.tx === undefined ? 'the database is not open' : `transaction ${m.tx} is not open`);
      return { rows: (await on.query(m.sql, m.params)).rows };
    }
    case 'begin': {
      const id = nextTx++;
      // PGlite's transaction holds its lock until the callback settles; it settles on 'end'.
      return new Promise((began, failed) => {
        const t = {};
        t.ended = db.transaction((tx) => new Promise((commit, rollback) => (Object.assign(t, { tx, commit, rollback }), began(id))));
        t.ended.catch((e) => {
          if (!t.tx) open.delete(id), failed(e); // BEGIN itself failed; otherwise 'end' reports it
        });
        open.set(id, t);
      });
    }
    case 'end': {
      const t = open.get(m.tx);
      open.delete(m.tx);
      if (!t?.tx) throw new Error(`transaction ${m.tx} is not open`);
      if (m.commit) t.commit();
      else t.rollback(ROLLBACK);
      try {
        await t.ended;
      } catch (e) {
        if (e !== ROLLBACK) throw e;
      }
      return true;
    }
    case 'close':
      await db?.close();
      db = undefined;
      return true;
    default:
      throw new Error(`unknown op ${m.op}`);
  }
}

parentPort.on('message', (m) => run(m).then((ok) => reply(m.id, ok), (e) => fail(m.id, e)));
