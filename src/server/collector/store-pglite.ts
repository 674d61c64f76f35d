import { Worker } from 'node:worker_threads';
import type { DedupeOptions, CollectorStore } from './store';
import { createSqlStore, type SqlClient, type SqlDriver } from './store-sql';

/**
 * The embedded default store: PGlite (WASM PostgreSQL) under `dataDir`, created on first open.
 * One process at a time may open a data directory. PGlite runs in a worker thread
 * (./pglite-worker.mjs): its work is off the thread that serves HTTP, which a second core then
 * overlaps with it.
 */
export function createPGliteStore(opts: { dataDir: string } & DedupeOptions): CollectorStore {
  return createSqlStore('pglite', () => startPGlite(opts.dataDir), opts);
}

type Reply = { id: number; result?: unknown; error?: Record<string, unknown> };

/** The worker's error as an Error again, with the fields the store reads (`code`). */
const asError = (f: Record<string, unknown>) => Object.assign(new Error(String(f.message)), f);

/** The driver over PGlite in its thread (exported for the tests; the store opens it on first use). */
export async function startPGlite(dataDir: string): Promise<SqlDriver> {
  const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), { workerData: { dataDir } });
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  let next = 0;
  let gone: Error | undefined;
  const fail = (e: Error) => {
    gone ??= e;
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the PGlite worker exited (code ${code})`)));
  await new Promise<void>((resolve, reject) => {
    worker.once('message', (m: { ready: boolean; error?: Record<string, unknown> }) => (m.ready ? resolve() : reject(asError(m.error!))));
    worker.once('error', reject);
    worker.once('exit', () => reject(gone));
  }).catch(async (e) => {
    await worker.terminate();
    throw e;
  });
  worker.on('message', (m: Reply) => {
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.error) w.reject(asError(m.error));
    else w.resolve(m.result);
  });
  worker.unref(); // an open store does not keep the process alive (close() ends the thread)
  const send = <T>(op: string, sql?: string, params?: unknown[]) =>
    new Promise<T>((resolve, reject) => {
      if (gone) return reject(gone);
      const id = next++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, op, sql, params });
    });
  const client: SqlClient = {
    query: (sql, params) => send('query', sql, params),
    exec: (script) => send('exec', script),
  };
  // One connection: a transaction's statements must not interleave with anything else sent.
  let turn: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = turn.then(fn);
    turn = run.catch(() => undefined);
    return run;
  };
  return {
    query: (sql, params) => exclusive(() => client.query(sql, params)),
    exec: (script) => exclusive(() => client.exec!(script)),
    transaction: (fn) =>
      exclusive(async () => {
        await client.query('begin');
        try {
          const out = await fn(client);
          await client.query('commit');
          return out;
        } catch (e) {
          await client.query('rollback').catch(() => {});
          throw e;
        }
      }),
    close: () =>
      exclusive(async () => {
        try {
          await send('close');
        } finally {
          await worker.terminate();
        }
      }),
  };
}
