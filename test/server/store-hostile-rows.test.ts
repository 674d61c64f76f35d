// @vitest-environment node
// Rows in the store that no collector writes (a support of the wrong length, an OLH row with g < 2,
// a non-finite count): read through the store's load path, they are left out of GET /v1/estimates
// instead of making every cohort of their epoch NaN (null on the wire).
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlStore, startCollectorServer, type SqlDriver } from '../../src/server/index';
import { call, EPOCH, makeReports, SPACES } from './collector-helpers';

let db: PGlite;
const driver = (): SqlDriver => ({
  query: (sql, params) => db.query(sql, params),
  transaction: (fn) => db.transaction((tx) => fn({ query: (sql, params) => tx.query(sql, params) })),
  close: async () => {},
});
beforeAll(async () => {
  db = await PGlite.create();
});
afterAll(() => db.close());

describe('hostile stored rows', () => {
  it.each([
    ['a support shorter than k', `('lifecycle', 1, ${EPOCH}, 'grr', 4, 3, 0, 5, '{1,2}')`],
    ['a support longer than k', `('lifecycle', 1, ${EPOCH}, 'oue', 4, 2.5, 0, 5, '{1,2,1,1,1}')`],
    ['an OLH row with g = 1', `('lifecycle', 1, ${EPOCH}, 'olh', 4, 1, 1, 5, '{5,5,5,5}')`],
    ['an OLH row with g = 0', `('lifecycle', 1, ${EPOCH}, 'olh', 4, 1.5, 0, 5, '{5,5,5,5}')`],
    ['a negative n', `('lifecycle', 1, ${EPOCH}, 'grr', 4, 2, 0, -5, '{1,1,1,1}')`],
    ['an ss row with a short support', `('lifecycle', 1, ${EPOCH}, 'ss', 4, 1, 0, 5, '{1}')`],
    ['an unknown mechanism', `('lifecycle', 1, ${EPOCH}, 'nope', 4, 1, 0, 5, '{1,1,1,1}')`],
  ])('%s is ignored: the honest reports of its epoch still estimate', async (_, row) => {
    const store = createSqlStore('pglite', async () => driver());
    await store.init();
    await db.exec('truncate cohortkit_stats, cohortkit_ids');
    const srv = await startCollectorServer({ spaces: SPACES, store });
    try {
      expect((await call(srv.url, 'POST', '/v1/reports', makeReports(60, 81))).body.accepted).toBe(60);
      const before = (await call(srv.url, 'GET', '/v1/estimates?space=lifecycle')).body;
      await db.exec(`insert into cohortkit_stats (space, space_version, epoch, mechanism, k, epsilon, g, n, support) values ${row}`);
      const r = await call(srv.url, 'GET', '/v1/estimates?space=lifecycle');
      expect(r.status).toBe(200);
      expect(r.body.n).toBe(60);
      for (const c of r.body.cohorts) expect(Number.isFinite(c.estimate), JSON.stringify(c)).toBe(true);
      expect(r.body.cohorts).toEqual(before.cohorts);
    } finally {
      await srv.close();
    }
  });
});
