// @vitest-environment node
// estimateFromRows called directly (cohortkit/server) with rows no estimator writes: they are left
// out, as the collector already left them out of GET /v1/estimates (store-hostile-rows.test.ts).
// Before, one such row made every cohort of its epoch NaN. And a request that reaches a collector
// shutting down gets 503 with Retry-After, like a store failure: the client's retry is the same.
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { addToRows, createCollector, createEstimator, estimateFromRows, type StatsRow } from '../../src/server/index';
import { call, EPOCH, makeReports, SPACE } from './collector-helpers';

describe('estimateFromRows with hostile rows', () => {
  const honest = () => {
    const rows = new Map<string, StatsRow>();
    for (const r of makeReports(80, 7)) addToRows(rows, r);
    return [...rows.values()];
  };
  const base = () => ({ space: SPACE.id, spaceVersion: SPACE.version ?? 1, epoch: EPOCH, k: SPACE.cohorts.length + 1, epsilon: 2, g: 0, n: 5 });
  it.each([
    ['a short support', { ...base(), mechanism: 'grr', support: [1] }],
    ['a negative count', { ...base(), mechanism: 'oue', support: [1, -1, 1, 1] }],
    ['a NaN count', { ...base(), mechanism: 'grr', support: [NaN, 1, 1, 1] }],
    ['OLH with g = 1', { ...base(), mechanism: 'olh', g: 1, support: [5, 5, 5, 5] }],
    ['an unknown mechanism', { ...base(), mechanism: 'nope', support: [1, 1, 1, 1] }],
    ['an infinite ε', { ...base(), mechanism: 'grr', epsilon: Infinity, support: [1, 1, 1, 1] }],
    ['an infinite n', { ...base(), mechanism: 'grr', n: Infinity, support: [1, 1, 1, 1] }],
    ['null', null],
  ])('%s is ignored: the estimate equals the honest rows alone', (_name, row) => {
    const rows = honest();
    expect(rows[0]!.k).toBe(base().k); // the hostile rows are of the same space, version, epoch and k
    const want = estimateFromRows(rows, SPACE, { epoch: EPOCH });
    for (const c of want.cohorts) expect(Number.isFinite(c.estimate)).toBe(true);
    const got = estimateFromRows([...rows, row as never], SPACE, { epoch: EPOCH });
    expect(got).toEqual(want);
    // The same reports through the estimator: the honest rows are what it holds.
    const est = createEstimator({ spaces: [SPACE] });
    for (const r of makeReports(80, 7)) est.add(r);
    expect(est.estimate(SPACE.id, EPOCH).cohorts).toEqual(want.cohorts);
  });
});

describe('a collector shutting down', () => {
  it('answers 503 with Retry-After and Connection: close', async () => {
    const handler = createCollector({ spaces: [SPACE] });
    const server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      expect((await call(url, 'GET', '/healthz')).status).toBe(200);
      await handler.close();
      const r = await call(url, 'POST', '/v1/reports', makeReports(3, 1));
      expect(r.status).toBe(503);
      expect(r.body).toEqual({ error: 'collector is shutting down' });
      expect(r.headers['retry-after']).toBe('5');
      expect(r.headers.connection).toBe('close');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
