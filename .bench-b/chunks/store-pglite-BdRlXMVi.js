import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { c as checkThread } from './cli-23aM4S7M.js';
import { c as createSqlStore } from './store-sql-CJkeJYR2.js';
import './errors-Cp7kg1GW.js';
import './ldp-ClVGeEjM.js';
import 'node:crypto';

/**
 * The embedded default store: PGlite (WASM PostgreSQL) under `dataDir`, created on first open.
 * One process at a time may open a data directory. Where the machine has more than one CPU,
 * PGlite runs in a worker thread (./pglite-worker.mjs): its work then overlaps the HTTP work on
 * another core, and a slow statement never stalls the thread that answers requests. On one CPU
 * there is nothing to overlap and the thread's message round trips only cost: it runs in this
 * thread. `thread` overrides the choice.
 */
function createPGliteStore(opts) {
    const thread = checkThread(opts.thread) ?? availableParallelism() > 1;
    return createSqlStore('pglite', () => (thread ? startPGlite(opts.dataDir) : inThread(opts.dataDir)), opts);
}
/** PGlite in this thread. */
async function inThread(dataDir) {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(dataDir);
    return {
        query: (sql, params) => db.query(sql, params),
        exec: (script) => db.exec(script),
        transaction: (fn) => db.transaction((tx) => fn({ query: (sql, params) => tx.query(sql, params), exec: (script) => tx.exec(script) })),
        close: () => db.close(),
    };
}
/** The worker's error as an Error again, with the fields the store reads (`code`). */
const asError = (f) => Object.assign(new Error(String(f.message)), f);
/** Starts PGlite's thread on `dataDir`; resolves once PGlite opened it. */
async function spawn(dataDir, onWorker) {
    const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), { workerData: { dataDir } });
    onWorker?.(worker);
    const waiting = new Map();
    let next = 0;
    let gone;
    const fail = (e) => {
        gone ??= e;
        for (const w of waiting.values())
            w.reject(e);
        waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the PGlite worker exited (code ${code})`)));
    await new Promise((resolve, reject) => {
        worker.once('message', (m) => (m.ready ? resolve() : reject(asError(m.error))));
        worker.once('error', reject);
        worker.once('exit', () => reject(gone));
    }).catch(async (e) => {
        await worker.terminate();
        throw e;
    });
    worker.on('message', (m) => {
        const w = waiting.get(m.id);
        if (!w)
            return;
        waiting.delete(m.id);
        if (!waiting.size)
            worker.unref();
        if (m.error)
            w.reject(asError(m.error));
        else
            w.resolve(m.result);
    });
    // An idle store does not keep the process alive (close() ends the thread); a statement waiting
    // for its answer does (a script awaiting rows() must not exit before they come).
    worker.unref();
    return {
        send: (op, sql, params) => new Promise((resolve, reject) => {
            if (gone)
                return reject(gone);
            const id = next++;
            if (!waiting.size)
                worker.ref();
            waiting.set(id, { resolve: resolve, reject });
            worker.postMessage({ id, op, sql, params });
        }),
        gone: () => gone,
        terminate: () => worker.terminate(),
    };
}
/**
 * The driver over PGlite in its thread (exported for the tests, which may watch each `Worker`
 * started; the store opens it on first use). A thread that ended unasked (a crash) is started
 * again by the next statement: what was in flight on it fails (those requests get 503 and retry),
 * a transaction never continues on another thread.
 */
async function startPGlite(dataDir, onWorker) {
    let thread = await spawn(dataDir, onWorker);
    let closed = false;
    const live = async () => {
        if (closed)
            throw new Error('the PGlite worker exited (the store was closed)');
        if (thread.gone())
            thread = await spawn(dataDir, onWorker);
        return thread;
    };
    const on = (t) => ({
        query: (sql, params) => t.send('query', sql, params),
        exec: (script) => t.send('exec', script),
    });
    // One connection: a transaction's statements must not interleave with anything else sent.
    let turn = Promise.resolve();
    const exclusive = (fn) => {
        const run = turn.then(fn);
        turn = run.catch(() => undefined);
        return run;
    };
    return {
        query: (sql, params) => exclusive(async () => on(await live()).query(sql, params)),
        exec: (script) => exclusive(async () => on(await live()).exec(script)),
        transaction: (fn) => exclusive(async () => {
            const tx = on(await live());
            await tx.query('begin');
            try {
                const out = await fn(tx);
                await tx.query('commit');
                return out;
            }
            catch (e) {
                await tx.query('rollback').catch(() => { });
                throw e;
            }
        }),
        close: () => exclusive(async () => {
            closed = true;
            try {
                if (!thread.gone())
                    await thread.send('close');
            }
            finally {
                await thread.terminate();
            }
        }),
    };
}

export { createPGliteStore, startPGlite };
//# sourceMappingURL=store-pglite-BdRlXMVi.js.map
