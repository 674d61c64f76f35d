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
/** Today (UTC day number) by the real clock: the collectors under test keep the default clock. */
export const EPOCH = Math.floor(Date.now() / 86_400_000);

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
    const first = await s.addBatch(reports.slice(0, 20), EPOCH);
    expect(first).toEqual({ duplicateIds: [], staleIds: [], futureIds: [], groupLimitIds: [] });
    const second = await s.addBatch(reports.slice(10), EPOCH);
    expect(second.duplicateIds.sort()).toEqual(reports.slice(10, 20).map((r) => r.id).sort());
    const est = createEstimator({ spaces: SPACES });
    for (const r of reports) est.add(r);
    expect(sorted(await s.rows('lifecycle'))).toEqual(sorted(est.snapshot().rows));
    expect(await s.rows('lifecycle', EPOCH + 1)).toEqual([]);
    expect(await s.epochs('lifecycle')).toEqual([EPOCH]);
    expect(await s.epochs('plans')).toEqual([]);
  });

  it('many small batches once the groups are known (SQL: the one-statement path) count like the estimator; replays are duplicates', async () => {
    const s = await get();
    const reports = [...makeReports(45, 21), ...makeReports(15, 22, { epoch: EPOCH - 1 })];
    await s.addBatch(reports.slice(0, 3), EPOCH); // opens the groups (transaction path)
    const dups: string[] = [];
    const replayed: string[] = [];
    for (let i = 3; i < reports.length; i += 3) {
      replayed.push(reports[i - 1].id);
      // Each batch replays one report of the previous batch and mixes epochs and mechanisms.
      const out = await s.addBatch([...reports.slice(i, i + 3), reports[i - 1]], EPOCH);
      dups.push(...out.duplicateIds);
      expect(out.staleIds).toEqual([]);
    }
    expect(replayed).toHaveLength(19);
    expect(dups.sort()).toEqual(replayed.sort());
    const est = createEstimator({ spaces: SPACES });
    for (const r of reports) est.add(r);
    expect(est.snapshot().rows).toHaveLength(6); // 3 mechanisms × 2 epochs
    expect(sorted(await s.rows('lifecycle'))).toEqual(sorted(est.snapshot().rows));
    expect((await s.addBatch(reports.slice(0, 9), EPOCH)).duplicateIds.sort()).toEqual(reports.slice(0, 9).map((r) => r.id).sort());
  });

  it('keeps epochs apart; the window [today − 8, today + 1] follows the clock, never the reports', async () => {
    const s = await get();
    const T = EPOCH;
    const r = await s.addBatch(
      [T - 9, T - 8, T, T + 1, T + 2, 999_999_999].flatMap((e, i) => makeReports(1, 10 + i, { epoch: e })),
      T,
    );
    expect(r.staleIds).toHaveLength(1);
    expect(r.futureIds).toHaveLength(2);
    expect(await s.epochs('lifecycle')).toEqual([T - 8, T, T + 1]);
    // A far-future report changed nothing: today's honest reports still count.
    expect((await s.addBatch(makeReports(3, 20, { epoch: T }), T)).duplicateIds).toEqual([]);
    expect((await s.rows('lifecycle', T)).reduce((n, x) => n + x.n, 0)).toBe(4);
    // The clock moves on: T − 8 is now stale, and T + 9 is no longer in the future.
    const later = await s.addBatch([...makeReports(1, 21, { epoch: T - 8 }), ...makeReports(2, 22, { epoch: T + 9 })], T + 8);
    expect(later.staleIds).toHaveLength(1);
    expect(later.futureIds).toEqual([]);
    expect((await s.rows('lifecycle', T + 9)).reduce((n, x) => n + x.n, 0)).toBe(2);
  });

  it('forgets ids as the clock passes them: a replay then is refused as stale, never counted twice', async () => {
    const s = await get();
    const [a] = makeReports(1, 23, { epoch: EPOCH });
    expect((await s.addBatch([a], EPOCH)).duplicateIds).toEqual([]);
    expect((await s.addBatch([a], EPOCH + 8)).duplicateIds).toEqual([a.id]);
    expect((await s.addBatch([a], EPOCH + 9)).staleIds).toEqual([a.id]);
    expect((await s.rows('lifecycle', EPOCH)).reduce((n, x) => n + x.n, 0)).toBe(1);
  });

  it('opens at most maxGroups (mechanism, ε, g) groups per space, version and epoch; joins are always fine', async () => {
    const s = await get();
    // 8 groups (default): ε = 1..8 with GRR. Then ε = 9 is refused, ε = 3 still joins.
    const open = Array.from({ length: 8 }, (_, i) => makeReports(1, 30 + i, { mechanism: 'grr', value: 0, epsilon: i + 1 } as never)[0]);
    expect((await s.addBatch(open, EPOCH)).groupLimitIds).toEqual([]);
    const [nine] = makeReports(1, 40, { mechanism: 'grr', value: 0, epsilon: 9 } as never);
    const [three] = makeReports(1, 41, { mechanism: 'grr', value: 1, epsilon: 3 } as never);
    const r = await s.addBatch([nine, three], EPOCH);
    expect(r.groupLimitIds).toEqual([nine.id]);
    // The refused report's id was not remembered: nothing of it was stored.
    expect((await s.addBatch([nine], EPOCH)).groupLimitIds).toEqual([nine.id]);
    // Another epoch, or another space, has its own groups.
    expect((await s.addBatch([{ ...nine, epoch: EPOCH - 1 }], EPOCH)).groupLimitIds).toEqual([]);
    expect((await s.rows('lifecycle', EPOCH)).length).toBe(8);
    expect((await s.rows('lifecycle', EPOCH)).reduce((n, x) => n + x.n, 0)).toBe(9);
  });

  it('sums large counts exactly (bigint columns) and keeps OLH g up to 2^32', async () => {
    const s = await get();
    const rs = makeReports(1, 9, { mechanism: 'olh', g: 4294967296, value: 4294967295, seed: 5 } as never);
    await s.addBatch(rs, EPOCH);
    const [row] = await s.rows('lifecycle');
    expect(row.g).toBe(4294967296);
    expect(row.n).toBe(1);
  });
}

/** Same estimates up to float summation order (rows come back from SQL in another order). */
export function expectSameEstimate(wire: EstimateResult, want: EstimateResult): void {
  // The wire answer adds the space version and the rejection counts of its day to the estimate.
  const { version, rejected, ...got } = wire as EstimateResult & { version?: unknown; rejected?: unknown };
  expect(version).toBeTypeOf('number');
  expect(Object.values(rejected as object).every((n) => Number.isInteger(n) && n > 0)).toBe(true);
  expect({ ...got, cohorts: got.cohorts.map((c) => c.id) }).toEqual({ ...want, cohorts: want.cohorts.map((c) => c.id) });
  got.cohorts.forEach((c, i) => {
    const w = want.cohorts[i];
    expect(c.suppressed).toBe(w.suppressed);
    for (const [x, y] of [[c.estimate, w.estimate], [c.stderr, w.stderr], [c.ci95[0], w.ci95[0]], [c.ci95[1], w.ci95[1]]]) {
      expect(Math.abs(x - y)).toBeLessThan(1e-9 * (1 + Math.abs(y)));
    }
  });
}
