import { Worker } from 'node:worker_threads';
import { CohortkitError } from '../../errors';
import type { DedupeOptions, CollectorStore } from './store';
import { createSqlStore, type SqlClient, type SqlDriver } from './store-sql';

/** PGlite store options: its data directory, and where the database runs. */
export interface PGliteStoreOptions extends DedupeOptions {
  dataDir: string;
  /**
   * Run PGlite on a worker thread (default `true`): PGlite executes on the thread that calls it,
   * so in-process every statement blocks the collector's HTTP handling. `false`: on the
   * collector's own thread (one thread in all; slower under load, see README "Benchmarks").
   */
  worker?: boolean;
}

/**
 * The embedded default store: PGlite (WASM PostgreSQL) under `dataDir`, created on first open.
 * One process at a time may open a data directory.
 */
export function createPGliteStore(opts: PGliteStoreOptions): CollectorStore {
  if (opts.worker !== undefined && typeof opts.worker !== 'boolean') throw new CohortkitError('invalid-options', 'store.worker: expected true or false');
  return createSqlStore('pglite', () => (opts.worker === false ? inProcess(opts.dataDir) : pgliteWorkerDriver(opts.dataDir)), opts);
}

async function inProcess(dataDir: string): Promise<SqlDriver> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(dataDir);
  return {
    query: (sql, params) => db.query(sql, params),
    transaction: (fn) => db.transaction((tx) => fn({ query: (sql, params) => tx.query(sql, params) })),
    close: () => db.close(),
  };
}

type Pending = { resolve: (v: any) => void; reject: (e: unknown) => void };
type Reply = { id: number; ok?: unknown; error?: { message: string; code?: string; name: string } };

/**
 * A driver whose statements run in pglite-worker.mjs. The worker is unref'd while idle (an open
 * store never keeps the process alive). If it dies, the calls in flight fail (their requests get
 * a 5xx and are re-sent) and the next call starts a new worker, which reopens the data directory
 * (PGlite recovers it as after a crash).
 */
export async function pgliteWorkerDriver(dataDir: string): Promise<SqlDriver & { worker(): Worker | undefined }> {
  let worker: Worker | undefined;
  let ready: Promise<void> | undefined;
  let closed = false;
  const pending = new Map<number, Pending>();
  let seq = 0;
  const settle = (id: number) => {
    const p = pending.get(id);
    pending.delete(id);
    if (!pending.size) worker?.unref();
    return p;
  };
  /** Why each worker that died died (a transaction begun on it fails with that, never on its successor). */
  const deaths = new WeakMap<Worker, Error>();
  const post = <T>(w: Worker, msg: Record<string, unknown>): Promise<T> =>
    new Promise((resolve, reject) => {
      if (deaths.has(w)) return reject(deaths.get(w));
      const id = ++seq;
      if (!pending.size) w.ref();
      pending.set(id, { resolve, reject });
      try {
        w.postMessage({ ...msg, id });
      } catch (e) {
        settle(id)?.reject(e); // e.g. a parameter that cannot be cloned: nothing was sent
      }
    });
  const start = (): Promise<void> => {
    const w = new Worker(new URL('./pglite-worker.mjs', import.meta.url));
    worker = w;
    w.unref();
    const die = (e: Error) => {
      if (!deaths.has(w)) deaths.set(w, e);
      if (worker !== w) return;
      worker = undefined;
      ready = undefined;
      for (const id of [...pending.keys()]) settle(id)?.reject(e);
    };
    w.on('message', (m: Reply) => {
      const p = settle(m.id);
      if (!m.error) return p?.resolve(m.ok);
      p?.reject(Object.assign(new Error(m.error.message), { name: m.error.name, code: m.error.code }));
    });
    w.on('error', (e) => die(new Error(`the PGlite worker failed: ${e.message}`, { cause: e })));
    w.on('exit', (code) => die(new Error(`the PGlite worker exited (code ${code})`)));
    return post<void>(w, { op: 'open', dataDir }).catch(async (e) => {
      die(e);
      await w.terminate();
      throw e;
    });
  };
  const call = async <T>(msg: Record<string, unknown>): Promise<T> => {
    if (closed) throw new Error('the PGlite store was closed');
    await (ready ??= start());
    return post<T>(worker!, msg);
  };
  const client: SqlClient = { query: (sql, params) => call({ op: 'query', sql, params }) };
  await (ready ??= start()); // a data directory that cannot be opened fails here, as in-process
  return {
    ...client,
    async transaction(fn) {
      const tx = await call<number>({ op: 'begin' });
      const on = worker!; // every statement of the transaction goes to the worker it began on
      let out;
      try {
        out = await fn({ query: (sql, params) => post(on, { op: 'query', sql, params, tx }) });
      } catch (e) {
        await post(on, { op: 'end', tx, commit: false }).catch(() => {});
        throw e;
      }
      await post(on, { op: 'end', tx, commit: true });
      return out;
    },
    async close() {
      if (closed) return;
      const w = worker;
      if (w && ready) await ready.then(() => post(w, { op: 'close' })).catch(() => {});
      closed = true;
      worker = undefined;
      await w?.terminate();
    },
    worker: () => worker,
  };
}
