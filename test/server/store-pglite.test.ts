// @vitest-environment node
import { PGlite } from '@electric-sql/pglite';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEstimator,
  createMemoryStore,
  createPGliteStore,
  createSqlStore,
  startCollectorServer,
  UPSERT_STATS_SQL,
  type SqlDriver,
} from '../../src/server/index';
import { startPGlite } from '../../src/server/collector/store-pglite';
import { call, EPOCH, expectSameEstimate, makeReports, SPACES, storeSuite } from './collector-helpers';

const dir = mkdtempSync(join(tmpdir(), 'cohortkit-pglite-'));
let db: PGlite;
/**
 * A driver over the shared instance; `fail()` decides, per statement, whether to throw. `exec`
 * mode is the production PGlite driver (simple-protocol scripts, no one-statement path);
 * `one-statement` runs the one-statement hot path on a second engine. `used` counts each kind.
 */
const used = { exec: 0, query: 0 };
type Mode = 'one-statement' | 'exec';
const driver = (fail: (sql: string) => boolean = () => false, mode: Mode = 'one-statement'): SqlDriver => {
  const wrap = <P extends unknown[], R>(kind: keyof typeof used, q: (s: string, ...p: P) => Promise<R>) => async (sql: string, ...params: P) => {
    if (fail(sql)) throw new Error('injected fault: connection lost');
    used[kind]++;
    return q(sql, ...params);
  };
  const on = (c: { query: PGlite['query']; exec: PGlite['exec'] }) => ({
    query: wrap('query', (s, p?: unknown[]) => c.query(s, p)),
    ...(mode === 'exec' && { exec: wrap('exec', (s) => c.exec(s)) }),
  });
  return {
    ...on(db),
    transaction: (fn) => db.transaction((tx) => fn(on(tx as never))),
    close: async () => {},
    ...(mode === 'one-statement' && { oneStatementMax: 32 }),
  };
};
const empty = async () => {
  const s = createSqlStore('pglite', async () => driver());
  await s.init();
  await db.exec('truncate cohortkit_stats; truncate cohortkit_ids');
  return s;
};

beforeAll(async () => {
  db = await PGlite.create(join(dir, 'shared'));
}, 60_000);
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SQL store on PGlite', () => {
  storeSuite(empty);

  it('applies migrations once, even when opened again', async () => {
    await (await empty()).init();
    await createSqlStore('pglite', async () => driver()).init();
    expect((await db.query('select version from cohortkit_migrations')).rows).toEqual([{ version: 1 }]);
  });

  it('two collectors writing to one store give the estimates of one collector fed everything', async () => {
    const store = await empty();
    const [a, b] = await Promise.all([startCollectorServer({ spaces: SPACES, store }), startCollectorServer({ spaces: SPACES, store })]);
    const reports = makeReports(120, 31);
    const est = createEstimator({ spaces: SPACES });
    for (const r of reports) est.add(r);
    try {
      const replies = await Promise.all([
        call(a.url, 'POST', '/v1/reports', reports.slice(0, 80)),
        call(b.url, 'POST', '/v1/reports', reports.slice(40)), // 40 sent to both
      ]);
      expect(replies[0].body.accepted + replies[1].body.accepted).toBe(120);
      for (const c of [a, b]) expectSameEstimate((await call(c.url, 'GET', '/v1/estimates?space=lifecycle')).body, est.estimate('lifecycle'));
    } finally {
      await a.collector.close();
      await b.collector.close();
    }
  });

  it('the scale-out merge SQL adds rows emitted by separate collectors', async () => {
    await empty();
    const reports = makeReports(90, 32);
    const parts = [createMemoryStore(), createMemoryStore(), createMemoryStore()];
    await Promise.all(parts.map((p, i) => p.addBatch(reports.slice(i * 30, i * 30 + 30))));
    for (const p of parts) {
      for (const r of await p.rows('lifecycle')) {
        await db.query(UPSERT_STATS_SQL, [r.space, r.spaceVersion, r.epoch, r.mechanism, r.k, r.epsilon, r.g, r.n, r.support]);
      }
    }
    const est = createEstimator({ spaces: SPACES });
    for (const r of reports) est.add(r);
    const whole = createSqlStore('pglite', async () => driver());
    const merged = await whole.rows('lifecycle');
    const sum = (rows: { n: number; support: number[] }[]) => rows.reduce((s, r) => [s[0] + r.n, ...r.support.map((x, i) => s[i + 1] + x)], [0, 0, 0, 0, 0]);
    expect(sum(merged)).toEqual(sum(est.snapshot().rows));
  });

  it.each(['one-statement', 'exec'] as const)('a failure inside the batch transaction persists nothing (503); the retry counts once (%s driver)', async (mode) => {
    await empty();
    let down = false;
    const store = createSqlStore('pglite', async () => driver((sql) => down && sql.startsWith('insert into cohortkit_stats'), mode));
    const c = await startCollectorServer({ spaces: SPACES, store });
    const reports = makeReports(20, 33);
    try {
      down = true; // ids are inserted, then the stats upsert fails: a crash mid-batch
      const r = await call(c.url, 'POST', '/v1/reports', reports);
      expect(r.status).toBe(503);
      expect(r.body.error).toMatch(/^store unavailable: injected fault/);
      expect((await db.query<{ n: number }>('select count(*)::int as n from cohortkit_ids')).rows[0].n).toBe(0);
      down = false;
      expect((await call(c.url, 'POST', '/v1/reports', reports)).body).toEqual({ accepted: 20, rejected: [] });
      expect((await call(c.url, 'GET', '/v1/estimates?space=lifecycle')).body.n).toBe(20);
    } finally {
      await c.collector.close();
    }
  });

  it('a failure inside the one-statement hot path (stats upsert raises after the ids insert) persists nothing; the retry counts once', async () => {
    await empty();
    const c = await startCollectorServer({ spaces: SPACES, store: createSqlStore('pglite', async () => driver()) });
    const reports = makeReports(30, 34);
    const ids = async () => (await db.query<{ n: number }>('select count(*)::int as n from cohortkit_ids')).rows[0].n;
    try {
      // Two batches: the first opens the groups, the second sees them (known): the rest take the hot path.
      for (const part of [reports.slice(0, 6), reports.slice(6, 12)]) expect((await call(c.url, 'POST', '/v1/reports', part)).body.accepted).toBe(6);
      await db.exec(`create function ck_fault() returns trigger language plpgsql as $$ begin raise exception 'injected fault: disk full'; end $$;
        create trigger ck_fault before insert or update on cohortkit_stats for each row execute function ck_fault()`);
      const r = await call(c.url, 'POST', '/v1/reports', reports.slice(12));
      expect(r.status).toBe(503);
      expect(r.body.error).toMatch(/^store unavailable: .*injected fault: disk full/);
      expect(await ids()).toBe(12); // the ids inserted before the failing upsert were rolled back with it
      await db.exec('drop trigger ck_fault on cohortkit_stats; drop function ck_fault()');
      expect((await call(c.url, 'POST', '/v1/reports', reports.slice(12))).body).toEqual({ accepted: 18, rejected: [] });
      expect((await call(c.url, 'GET', '/v1/estimates?space=lifecycle')).body.n).toBe(30);
      expect(await ids()).toBe(30);
    } finally {
      await c.collector.close();
    }
  });

  it('store unavailable mid-run: 503 with a clear error, nothing accepted; recovers', async () => {
    await empty();
    let down = false;
    const store = createSqlStore('pglite', async () => driver(() => down));
    const c = await startCollectorServer({ spaces: SPACES, store });
    try {
      const [x, y] = makeReports(2, 34);
      expect((await call(c.url, 'POST', '/v1/reports', x)).status).toBe(202);
      down = true;
      for (const path of ['/v1/estimates?space=lifecycle', '/v1/spaces']) expect((await call(c.url, 'GET', path)).status).toBe(503);
      expect((await call(c.url, 'POST', '/v1/reports', y)).status).toBe(503);
      down = false;
      expect((await call(c.url, 'POST', '/v1/reports', [x, y])).body).toEqual({ accepted: 1, rejected: [{ index: 0, error: 'duplicate' }] });
    } finally {
      await c.collector.close();
    }
  });
});

const emptyExec = async () => {
  await empty();
  const s = createSqlStore('pglite', async () => driver(undefined, 'exec'));
  await s.init();
  return s;
};

describe('SQL store on PGlite, simple-protocol statements (the production driver)', () => {
  storeSuite(emptyExec);

  it('a batch whose groups are known is ONE script (ids and every row upsert, one implicit transaction)', async () => {
    const s = await emptyExec();
    const reports = makeReports(60, 61);
    // The first batch opens the groups, the second reads them back (parameterized: the advisory lock
    // and the groups' select); from then on they are known and a batch is one script alone.
    await s.addBatch(reports.slice(0, 20), EPOCH);
    await s.addBatch(reports.slice(20, 30), EPOCH);
    Object.assign(used, { exec: 0, query: 0 });
    const out = await s.addBatch(reports.slice(30), EPOCH);
    expect(out).toEqual({ duplicateIds: [], staleIds: [], futureIds: [], groupLimitIds: [] });
    expect(used).toEqual({ exec: 1, query: 0 });
    expect((await s.rows('lifecycle')).reduce((n, r) => n + r.n, 0)).toBe(60);
  });

  it('a duplicate id in such a batch rolls the one script back whole; the transaction then counts only the new reports', async () => {
    const s = await emptyExec();
    const reports = makeReports(30, 62);
    await s.addBatch(reports.slice(0, 5), EPOCH);
    await s.addBatch(reports.slice(5, 10), EPOCH); // the groups are known from here
    const before = await s.rows('lifecycle');
    Object.assign(used, { exec: 0, query: 0 });
    // Reports 5–9 were stored already: the optimistic script fails on them, and nothing of it stays.
    const out = await s.addBatch(reports.slice(5, 20), EPOCH);
    expect(out.duplicateIds.sort()).toEqual(reports.slice(5, 10).map((r) => r.id).sort());
    expect(used).toEqual({ exec: 3, query: 0 }); // the refused script, then the transaction's two
    const after = await s.rows('lifecycle');
    expect(after.reduce((n, r) => n + r.n, 0) - before.reduce((n, r) => n + r.n, 0)).toBe(10);
    // Exactly the counts of the ten new reports, element-wise (an estimator fed only them agrees).
    const only = createSqlStore('pglite', async () => driver(undefined, 'exec'));
    await empty();
    await only.init();
    await only.addBatch([...reports.slice(0, 10), ...reports.slice(10, 20)], EPOCH);
    expect(await only.rows('lifecycle')).toEqual(after);
  });

  it('a hostile value in a report (a custom caller, no validator) takes the parameterized path: stored as given, nothing else runs', async () => {
    const s = await emptyExec();
    const evil = "x'); drop table cohortkit_ids; --";
    const [r] = makeReports(1, 63);
    Object.assign(used, { exec: 0, query: 0 });
    expect((await s.addBatch([{ ...r, space: evil }], EPOCH)).duplicateIds).toEqual([]);
    expect(used.exec).toBe(1); // the ids (safe) went as a script; the row with the hostile space did not
    expect((await s.rows(evil)).map((x) => [x.space, x.n])).toEqual([[evil, 1]]);
    expect((await db.query<{ n: number }>('select count(*)::int as n from cohortkit_ids')).rows[0].n).toBe(1);
  });
});

describe('versions side by side on PGlite', () => {
  it('rows, epochs and estimates are kept per space version', async () => {
    const store = await empty();
    const v1 = { id: 'lifecycle', version: 1, description: 'v1', cohorts: [{ id: 'a', segment: 'a' }, { id: 'b', segment: 'b' }, { id: 'c', segment: 'c' }], fallback: 'other' };
    const v2 = { ...v1, version: 2, description: 'v2' };
    const c = await startCollectorServer({ spaces: [v1, v2], store, perAddressLimit: false });
    try {
      const one = makeReports(30, 37);
      const two = makeReports(20, 38, { spaceVersion: 2, epoch: EPOCH - 1 });
      expect((await call(c.url, 'POST', '/v1/reports', [...one, ...two])).body.accepted).toBe(50);
      expect((await db.query('select space_version, count(*)::int as rows from cohortkit_stats group by 1 order by 1')).rows).toEqual([
        { space_version: 1, rows: 3 },
        { space_version: 2, rows: 3 },
      ]);
      const e1 = (await call(c.url, 'GET', '/v1/estimates?space=lifecycle&version=1')).body;
      const e2 = (await call(c.url, 'GET', '/v1/estimates?space=lifecycle')).body;
      expect([e1.version, e1.epoch, e1.n]).toEqual([1, EPOCH, 30]);
      expect([e2.version, e2.epoch, e2.n]).toEqual([2, EPOCH - 1, 20]);
      expect((await call(c.url, 'GET', '/v1/spaces')).body.spaces.map((x: { version: number; epochs: number[] }) => [x.version, x.epochs])).toEqual([
        [1, [EPOCH]],
        [2, [EPOCH - 1]],
      ]);
    } finally {
      await c.collector.close();
    }
  });
});

describe('PGlite data directory', () => {
  it('store unavailable at start: 503 and nothing accepted', async () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const c = await startCollectorServer({ spaces: SPACES, store: { dataDir: join(file, 'data') } });
    try {
      const r = await call(c.url, 'POST', '/v1/reports', makeReports(3, 35));
      expect(r.status).toBe(503);
      expect(r.body.error).toMatch(/^store unavailable: /);
      expect((await call(c.url, 'GET', '/healthz')).status).toBe(503);
    } finally {
      await c.close();
    }
  }, 60_000);

  it('persists across a restart; ids re-sent after a kill are duplicates (no double counting)', async () => {
    const dataDir = join(dir, 'collector');
    const reports = makeReports(60, 36, { epoch: EPOCH });
    const first = await startCollectorServer({ spaces: SPACES, store: { dataDir } });
    const warm = await call(first.url, 'GET', '/healthz');
    expect(warm.body).toEqual({ ok: true, store: 'pglite' });
    expect((await call(first.url, 'POST', '/v1/reports', reports.slice(0, 50))).body.accepted).toBe(50);
    await first.close();
    // restart; a client that never saw the 202 (collector killed after COMMIT) re-sends everything
    const second = await startCollectorServer({ spaces: SPACES, store: { dataDir } });
    try {
      const again = await call(second.url, 'POST', '/v1/reports', reports);
      expect(again.body.accepted).toBe(10);
      expect(again.body.rejected).toEqual(reports.slice(0, 50).map((_, index) => ({ index, error: 'duplicate' })));
      expect((await call(second.url, 'GET', '/v1/estimates?space=lifecycle')).body.n).toBe(60);
    } finally {
      await second.close();
    }
    const reopened = createPGliteStore({ dataDir });
    expect((await reopened.rows('lifecycle')).reduce((n, r) => n + r.n, 0)).toBe(60);
    await reopened.close();
  }, 90_000);
});

describe('PGlite in its own thread', () => {
  it('a slow statement does not hold up the thread that serves HTTP', async () => {
    const d = await startPGlite(join(dir, 'thread'));
    try {
      // Event-loop lag sampled every 5 ms while PGlite sleeps 400 ms (in this thread it would be one 400 ms stall).
      let worst = 0;
      let last = performance.now();
      const tick = setInterval(() => ((worst = Math.max(worst, performance.now() - last)), (last = performance.now())), 5);
      const slept = d.query('select pg_sleep(0.4) as s, 1 as one');
      const c = await startCollectorServer({ spaces: SPACES });
      try {
        expect((await call(c.url, 'GET', '/healthz')).status).toBe(200); // answered while PGlite is busy
      } finally {
        await c.close();
      }
      expect((await slept).rows).toEqual([{ s: '', one: 1 }]);
      clearInterval(tick);
      expect(worst).toBeLessThan(200);
    } finally {
      await d.close();
    }
  }, 60_000);

  it("a statement's error comes back with its SQLSTATE code; a transaction's statements stay together", async () => {
    const d = await startPGlite(join(dir, 'thread-errors'));
    try {
      await d.exec!('create table t (id int primary key)');
      const dup = await d.exec!('insert into t values (1); insert into t values (1)').catch((e) => e);
      expect(dup).toBeInstanceOf(Error);
      expect(dup.code).toBe('23505');
      expect((await d.query('select count(*)::int as n from t')).rows).toEqual([{ n: 0 }]); // the script rolled back whole
      // A query sent while a transaction runs waits for it: it never lands inside the transaction.
      const inTx = d.transaction(async (tx) => {
        await tx.query('insert into t values (2)');
        await new Promise((r) => setTimeout(r, 50));
        throw new Error('rolled back');
      });
      const outside = d.query('insert into t values (3)');
      await expect(inTx).rejects.toThrow('rolled back');
      await outside;
      expect((await d.query('select id from t order by id')).rows).toEqual([{ id: 3 }]);
    } finally {
      await d.close();
    }
  }, 60_000);

  it('after close, a statement rejects with an error naming the thread; close ends the thread', async () => {
    const workers: Worker[] = [];
    const d = await startPGlite(join(dir, 'thread-closed'), (w) => workers.push(w));
    await d.query('select 1');
    const exited = new Promise((r) => workers[0]!.once('exit', r));
    await d.close();
    await exited;
    await expect(d.query('select 1')).rejects.toThrow(/the PGlite worker exited \(the store was closed\)/);
    expect(workers).toHaveLength(1);
  }, 60_000);

  it('a thread that dies: what was in flight on it fails, the next statement runs on a new thread over the same data', async () => {
    const workers: Worker[] = [];
    const d = await startPGlite(join(dir, 'thread-crash'), (w) => workers.push(w));
    try {
      await d.exec!('create table t (id int primary key); insert into t values (1)');
      const inTx = d.transaction(async (tx) => {
        await tx.query('insert into t values (2)');
        await workers[0]!.terminate(); // the thread ends mid-transaction
        await tx.query('insert into t values (3)');
      });
      await expect(inTx).rejects.toThrow(/the PGlite worker exited/);
      // Nothing of the broken transaction, the committed row kept, on a second thread.
      expect((await d.query('select id from t order by id')).rows).toEqual([{ id: 1 }]);
      expect(workers).toHaveLength(2);
    } finally {
      await d.close();
    }
  }, 60_000);

  it('a data directory that cannot be opened rejects the start with the cause', async () => {
    const file = join(dir, 'thread-not-a-dir');
    writeFileSync(file, 'x');
    await expect(startPGlite(join(file, 'data'))).rejects.toThrow(/.+/);
  }, 60_000);
});

describe('PGlite in this thread (one CPU, or thread: false)', () => {
  it('stores, counts duplicates once and persists across a restart, as in its own thread', async () => {
    const dataDir = join(dir, 'in-thread');
    const reports = makeReports(30, 37, { epoch: EPOCH });
    const first = await startCollectorServer({ spaces: SPACES, store: { dataDir, thread: false } });
    try {
      expect((await call(first.url, 'POST', '/v1/reports', reports.slice(0, 20))).body.accepted).toBe(20);
    } finally {
      await first.close();
    }
    // The same directory, opened by PGlite in its thread: the same data.
    const second = createPGliteStore({ dataDir, thread: true });
    expect((await second.addBatch(reports, EPOCH)).duplicateIds).toHaveLength(20);
    expect((await second.rows('lifecycle')).reduce((n, r) => n + r.n, 0)).toBe(30);
    await second.close();
  }, 90_000);

  it.each([['yes'], [1], [null]])('store.thread %j: invalid-options naming it', async (thread) => {
    expect(() => createPGliteStore({ dataDir: join(dir, 'never'), thread: thread as never })).toThrow('store.thread: expected true or false');
    await expect(startCollectorServer({ spaces: SPACES, store: { dataDir: join(dir, 'never'), thread: thread as never } })).rejects.toMatchObject({
      code: 'invalid-options',
      message: expect.stringMatching(/store\.thread: expected true or false/),
    });
  });
});
