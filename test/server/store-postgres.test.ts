// @vitest-environment node
// Runs against a real PostgreSQL when DATABASE_URL is set (CI: .ci/postgres sets it).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEstimator, createPostgresStore, startCollectorServer, type CollectorStore } from '../../src/server/index';
import { call, expectSameEstimate, makeReports, SPACES, storeSuite } from './collector-helpers';

const url = process.env.DATABASE_URL;
const schema = `cohortkit_test_${process.pid}`;
const suite = url ? describe : describe.skip;
if (!url) console.warn('store-postgres: skipped, DATABASE_URL is not set (source .ci/postgres to run it)');

suite('SQL store on PostgreSQL (DATABASE_URL)', () => {
  let admin: pg.Client;
  const stores: CollectorStore[] = [];
  const open = (): CollectorStore => {
    const s = createPostgresStore({ databaseUrl: url!, schema });
    stores.push(s);
    return s;
  };
  const empty = async (): Promise<CollectorStore> => {
    const s = open();
    await s.init();
    await admin.query(`truncate ${schema}.cohortkit_stats, ${schema}.cohortkit_ids`);
    return s;
  };
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await admin?.query(`drop schema if exists ${schema} cascade`);
    await admin?.end();
  });

  storeSuite(empty);

  it('migrates once when several collectors start together', async () => {
    await Promise.all([open().init(), open().init(), open().init()]);
    expect((await admin.query(`select version from ${schema}.cohortkit_migrations`)).rows).toEqual([{ version: 1 }]);
  });

  it('two collectors (separate pools) writing overlapping batches concurrently count each report once', async () => {
    await empty();
    const reports = makeReports(300, 41);
    const est = createEstimator({ spaces: SPACES });
    for (const r of reports) est.add(r);
    const [a, b] = await Promise.all([0, 1].map(() => startCollectorServer({ spaces: SPACES, store: { databaseUrl: url!, schema }, rateLimit: false })));
    try {
      const sends = [];
      for (let i = 0; i < 300; i += 50) {
        const batch = reports.slice(i, i + 50);
        sends.push(call(a.url, 'POST', '/v1/reports', batch), call(b.url, 'POST', '/v1/reports', batch)); // every report sent twice
      }
      const replies = await Promise.all(sends);
      for (const r of replies) expect(r.status, JSON.stringify(r.body)).toBe(202);
      expect(replies.reduce((n, r) => n + r.body.accepted, 0)).toBe(300);
      for (const c of [a, b]) expectSameEstimate((await call(c.url, 'GET', '/v1/estimates?space=lifecycle')).body, est.estimate('lifecycle'));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('two collectors opening ε groups at once never pass maxGroups together', async () => {
    await empty();
    const [a, b] = await Promise.all([0, 1].map(() => startCollectorServer({ spaces: SPACES, store: { databaseUrl: url!, schema }, rateLimit: false, perAddressLimit: false })));
    try {
      const one = (i: number) => makeReports(1, 500 + i, { mechanism: 'grr', value: 0, epsilon: 1 + i / 10 } as never);
      const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => call(i % 2 ? a.url : b.url, 'POST', '/v1/reports', one(i))));
      expect(replies.reduce((n, r) => n + r.body.accepted, 0)).toBe(8);
      expect((await admin.query(`select count(*)::int as n from ${schema}.cohortkit_stats`)).rows[0].n).toBe(8);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('an unreachable database answers 503 and accepts nothing', async () => {
    const c = await startCollectorServer({ spaces: SPACES, store: { databaseUrl: 'postgres://cohortkit:cohortkit@127.0.0.1:1/none' } });
    try {
      const r = await call(c.url, 'POST', '/v1/reports', makeReports(2, 42));
      expect(r.status).toBe(503);
      expect(r.body.error).toMatch(/^store unavailable: /);
    } finally {
      await c.close();
    }
  });
});
