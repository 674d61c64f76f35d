// Shared fixtures for the collector and store tests (not a test file itself).
import { request } from 'node:http';
import { expect, it } from 'vitest';
import { createMechanism, randomId } from '../../src/privacy/index';
import { createEstimator, type CollectorStore, type EstimateResult, type StatsRow } from '../../src/server/index';
import type { CohortSpace, LDPReport } from '../../src/types';
import { seededRandom } from '../privacy/helpers';

export const SPACE: CohortSpace = {
  id: 'lifecycle',
  description: 'lifecycle stage',
  cohorts: [
    { id: 'new', segment: 'new-visitor' },
    { id: 'active', segment: 'active' },
    { id: 'loyal', segment: 'loyal' },
  ],
  fallback: 'other',
};
export const PLANS: CohortSpace = { id: 'plans', version: 2, description: 'plans', cohorts: [{ id: 'free', segment: 'free' }], fallback: 'paid' };
export const SPACES = [SPACE, PLANS];
export const EPOCH = 20415;

/** `n` valid reports (mechanisms rotate grr/oue/olh), deterministic for a seed. */
export function makeReports(n: number, seed = 1, over: Partial<LDPReport> = {}): LDPReport[] {
  const rs = seededRandom(seed);
  const mechs = (['grr', 'oue', 'olh'] as const).map((m) => createMechanism({ k: 4, epsilon: 1, mechanism: m, random: rs } as never));
  return Array.from({ length: n }, (_, i) => {
    const m = mechs[i % 3];
    const value = m.perturb(i % 4);
    return { v: 1, id: randomId(rs), space: 'lifecycle', spaceVersion: 1, epoch: EPOCH, k: 4, mechanism: m.name, epsilon: 1, ...value, ...over } as LDPReport;
  });
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** One HTTP request over loopback; the body is sent as is (string/Buffer) or as JSON. */
export function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  agent?: import('node:http').Agent,
): Promise<Reply> {
  const data = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const h = { ...(data !== undefined && { 'content-type': 'text/plain;charset=UTF-8' }), ...headers };
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, headers: h, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {}
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

const sorted = (rows: StatsRow[]): StatsRow[] => rows.slice().sort((a, b) => `${a.mechanism}${a.epoch}`.localeCompare(`${b.mechanism}${b.epoch}`));

/** Behaviour every store must have; `get` returns the store under test, emptied. */
export function storeSuite(get: () => Promise<CollectorStore>): void {
  it('counts new reports once and reports duplicates, in rows equal to the estimator’s', async () => {
    const s = await get();
    const reports = makeReports(30, 7);
    const first = await s.addBatch(reports.slice(0, 20));
    expect(first).toEqual({ duplicateIds: [], staleIds: [] });
    const second = await s.addBatch(reports.slice(10));
    expect(second.duplicateIds.sort()).toEqual(reports.slice(10, 20).map((r) => r.id).sort());
    const est = createEstimator({ spaces: SPACES });
    for (const r of reports) est.add(r);
    expect(sorted(await s.rows('lifecycle'))).toEqual(sorted(est.snapshot().rows));
    expect(await s.rows('lifecycle', EPOCH + 1)).toEqual([]);
    expect(await s.epochs('lifecycle')).toEqual([EPOCH]);
    expect(await s.epochs('plans')).toEqual([]);
  });

  it('keeps epochs apart and refuses reports older than the dedupe window (8 days)', async () => {
    const s = await get();
    await s.addBatch(makeReports(3, 1, { epoch: EPOCH }));
    await s.addBatch(makeReports(2, 2, { epoch: EPOCH + 8 }));
    const old = makeReports(2, 3, { epoch: EPOCH - 1 });
    const r = await s.addBatch([...old, ...makeReports(1, 4, { epoch: EPOCH + 1 })]);
    expect(r.staleIds.sort()).toEqual(old.map((x) => x.id).sort());
    expect(await s.epochs('lifecycle')).toEqual([EPOCH, EPOCH + 1, EPOCH + 8]);
    expect((await s.rows('lifecycle', EPOCH + 8)).reduce((n, x) => n + x.n, 0)).toBe(2);
  });

  it('sums large counts exactly (bigint columns) and keeps OLH g up to 2^32', async () => {
    const s = await get();
    const rs = makeReports(1, 9, { mechanism: 'olh', g: 4294967296, value: 4294967295, seed: 5 } as never);
    await s.addBatch(rs);
    const [row] = await s.rows('lifecycle');
    expect(row.g).toBe(4294967296);
    expect(row.n).toBe(1);
  });
}

/** Same estimates up to float summation order (rows come back from SQL in another order). */
export function expectSameEstimate(got: EstimateResult, want: EstimateResult): void {
  expect({ ...got, cohorts: got.cohorts.map((c) => c.id) }).toEqual({ ...want, cohorts: want.cohorts.map((c) => c.id) });
  got.cohorts.forEach((c, i) => {
    const w = want.cohorts[i];
    expect(c.suppressed).toBe(w.suppressed);
    for (const [x, y] of [[c.estimate, w.estimate], [c.stderr, w.stderr], [c.ci95[0], w.ci95[0]], [c.ci95[1], w.ci95[1]]]) {
      expect(Math.abs(x - y)).toBeLessThan(1e-9 * (1 + Math.abs(y)));
    }
  });
}
