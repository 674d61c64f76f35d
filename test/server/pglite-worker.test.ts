// @vitest-environment node
// The PGlite store on its worker thread (the default): the store contract, transactions that
// commit or roll back as one, PostgreSQL error codes kept across the thread boundary, hostile
// parameters, a worker that dies mid-flight, and the same data directory read back in-process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEstimator, createPGliteStore, createSqlStore, startCollectorServer, type CollectorStore } from '../../src/server/index';
import { pgliteWorkerDriver } from '../../src/server/collector/store-pglite';
import { call, EPOCH, makeReports, SPACES, storeSuite } from './collector-helpers';

const dir = mkdtempSync(join(tmpdir(), 'cohortkit-pglite-worker-'));
let n = 0;
const fresh = () => join(dir, `d${++n}`);
const opened: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const s of opened) await s.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

/** One worker-thread database for the store contract and the transaction tests (opening one takes seconds). */
let shared: Awaited<ReturnType<typeof pgliteWorkerDriver>> | undefined;
const driver = async () => {
  if (!shared) opened.push((shared = await pgliteWorkerDriver(fresh())));
  return shared;
};
/** A store over the shared worker database, emptied (as store-pglite.test.ts does in-process). */
const empty = async (): Promise<CollectorStore> => {
  const d = await driver();
  const s = createSqlStore('pglite', async () => ({ ...d, close: async () => {} }));
  await s.init();
  await d.query('truncate cohortkit_stats');
  await d.query('truncate cohortkit_ids');
  return s;
};

describe('PGlite store on a worker thread', () => {
  storeSuite(empty);

  it('a transaction commits as one, and one that throws leaves nothing', async () => {
    const d = await driver();
    await d.query('create table t1 (x int primary key)');
    await expect(
      d.transaction(async (tx) => {
        await tx.query('insert into t1 values (1)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await d.query('select count(*)::int as c from t1')).rows).toEqual([{ c: 0 }]);
    const out = await d.transaction(async (tx) => (await tx.query('insert into t1 values (2), (3)'), 'done'));
    expect(out).toBe('done');
    expect((await d.query('select x from t1 order by x')).rows).toEqual([{ x: 2 }, { x: 3 }]);
  }, 60_000);

  it('a failing statement keeps its PostgreSQL code (the store retries deadlocks by it) and rolls its transaction back', async () => {
    const d = await driver();
    await expect(d.query('select 1/0')).rejects.toMatchObject({ code: '22012', message: expect.stringMatching(/division by zero/) });
    await d.query('create table t2 (x int primary key)');
    const dup = d.transaction(async (tx) => {
      await tx.query('insert into t2 values (1)');
      await tx.query('insert into t2 values (1)');
    });
    await expect(dup).rejects.toMatchObject({ code: '23505' });
    expect((await d.query('select count(*)::int as c from t2')).rows).toEqual([{ c: 0 }]);
  }, 60_000);

  it('statements outside a transaction wait for it: concurrent callers see committed state only', async () => {
    const d = await driver();
    await d.query('create table t3 (x int)');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = d.transaction(async (t) => {
      await t.query('insert into t3 values (1)');
      await gate;
      await t.query('insert into t3 values (2)');
    });
    await new Promise((r) => setTimeout(r, 50));
    const outside = d.query('select count(*)::int as c from t3');
    let answered = false;
    void outside.then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(false); // it waits for the open transaction
    release();
    await tx;
    expect((await outside).rows).toEqual([{ c: 2 }]);
  }, 60_000);

  it('hostile parameters: one that cannot cross the thread boundary fails that call only', async () => {
    const d = await driver();
    await expect(d.query('select $1::text as v', [() => 1])).rejects.toThrow(/could not be cloned/);
    await expect(d.query('select $1::text as v', [Symbol('x')])).rejects.toThrow();
    expect((await d.query('select $1::text as v', ["'); drop table x; --"])).rows).toEqual([{ v: "'); drop table x; --" }]);
  }, 60_000);

  it('a worker that dies fails the calls in flight with a clear error, and the next call starts a new one on the same data', async () => {
    const d = await pgliteWorkerDriver(fresh());
    opened.push(d);
    await d.query('create table t (x int)');
    await d.query('insert into t values (7)');
    const first = d.worker()!;
    const inFlight = d.transaction(async (tx) => {
      await tx.query('insert into t values (8)');
      await first.terminate(); // as a crash would
      await tx.query('insert into t values (9)');
    });
    await expect(inFlight).rejects.toThrow(/the PGlite worker exited/);
    expect((await d.query('select x from t order by x')).rows).toEqual([{ x: 7 }]); // 8 was never committed
    expect(d.worker()).not.toBe(first);
  }, 60_000);

  it('an unopenable data directory fails at open with the cause, and a closed driver refuses', async () => {
    const file = join(dir, 'a-file');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'x');
    await expect(pgliteWorkerDriver(join(file, 'data'))).rejects.toThrow(/ENOTDIR|not a directory|EEXIST|ENOENT/i);
    const d = await pgliteWorkerDriver(fresh());
    await d.close();
    await d.close(); // twice is fine
    await expect(d.query('select 1')).rejects.toThrow('the PGlite store was closed');
    expect(d.worker()).toBeUndefined();
  }, 60_000);

  it('rejects a store.worker that is not a boolean, naming it', () => {
    expect(() => createPGliteStore({ dataDir: fresh(), worker: 'yes' as never })).toThrow('store.worker: expected true or false');
  });

  it('a collector on the worker store and one in-process on the same directory (one after the other) agree with one estimator fed everything', async () => {
    const dataDir = fresh();
    const reports = makeReports(80, 41, { epoch: EPOCH });
    const onWorker = await startCollectorServer({ spaces: SPACES, store: { dataDir } });
    const body = await Promise.all([0, 1, 2, 3].map((i) => call(onWorker.url, 'POST', '/v1/reports', reports.slice(i * 20, i * 20 + 20))));
    expect(body.map((b) => b.body.accepted)).toEqual([20, 20, 20, 20]);
    await onWorker.close();
    const inProcess = createPGliteStore({ dataDir, worker: false });
    opened.push(inProcess);
    const est = createEstimator({ spaces: SPACES });
    for (const r of reports) est.add(r);
    const key = (r: object) => JSON.stringify(r);
    const want = est.snapshot().rows.filter((r) => r.space === 'lifecycle').map(key).sort();
    expect((await inProcess.rows('lifecycle')).map(key).sort()).toEqual(want);
  }, 90_000);
});
