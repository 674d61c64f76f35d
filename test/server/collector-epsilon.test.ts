// @vitest-environment node
// One report with a tiny ε must not break a space's estimates. Before: under the default policy
// ("any finite ε in (0, 20]") one report at ε = 1e-17 (or 1e-300, 5e-324) was accepted and turned
// every estimate of its epoch into NaN (null on the wire, suppressed: false, readLift threw). Now
// the estimator computes p − q with expm1 and refuses ε < 1e-6 (no finite estimate below), the
// collector leaves stored rows below 1e-6 out, and API.md's default stands above it: a small-ε
// report weighs what its ε says, and `epsilons` is how an operator refuses it.
import { afterEach, describe, expect, it } from 'vitest';
import { createMechanism, mechanismParams, randomId } from '../../src/privacy/index';
import { createEstimator, createMemoryStore, estimateFromRows, startCollectorServer, type RunningCollector } from '../../src/server/index';
import { supportGap } from '../../src/server/estimator/stats';
import { defineExperiment, readLift } from '../../src/server';
import type { LDPReport } from '../../src/types';
import { seededRandom } from '../privacy/helpers';
import { EPOCH, SPACE, SPACES, call } from './collector-helpers';

const running: RunningCollector[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});
async function start(over: Record<string, unknown> = {}) {
  const c = await startCollectorServer({ spaces: SPACES, rateLimit: false, perAddressLimit: false, minCount: 20, ...over });
  running.push(c);
  return c;
}

/** 1,000 honest GRR reports at ε = 1 of lifecycle (k = 4): 400, 300, 200, 100 visitors. */
function honest(): LDPReport[] {
  const rs = seededRandom(5);
  const m = createMechanism({ k: 4, epsilon: 1, mechanism: 'grr', random: rs });
  return Array.from({ length: 1000 }, (_, i) => ({ v: 1, id: randomId(rs), space: 'lifecycle', spaceVersion: 1, epoch: EPOCH, k: 4, mechanism: 'grr', epsilon: 1, ...m.perturb(i < 400 ? 0 : i < 700 ? 1 : i < 900 ? 2 : 3) }) as LDPReport);
}
const hostile = (epsilon: number, mechanism = 'grr'): LDPReport => {
  const rs = seededRandom(Math.round(-Math.log10(epsilon)) + mechanism.length);
  const value = mechanism === 'grr' ? { value: 0 } : mechanism === 'oue' ? { bits: 'AQ' } : { seed: 1, g: 2, value: 0 };
  return { v: 1, id: randomId(rs), space: 'lifecycle', spaceVersion: 1, epoch: EPOCH, k: 4, mechanism, epsilon, ...value } as LDPReport;
};

describe('a tiny-ε report cannot wreck the estimates (collector, over HTTP)', () => {
  const reports = honest();
  const ref = createEstimator({ spaces: SPACES, minCount: 20 });
  for (const r of reports) ref.add(r);
  const want = ref.estimate('lifecycle');

  it('1,000 honest reports + one at ε = 1e-9, 1e-17, 1e-300 or 5e-324 (GRR, OUE, OLH): refused (below 1e-6), estimates unchanged', async () => {
    const c = await start();
    expect((await call(c.url, 'POST', '/v1/reports', reports)).body.accepted).toBe(1000);
    for (const eps of [1e-7, 1e-9, 1e-17, 1e-300, 5e-324])
      for (const mech of ['grr', 'oue', 'olh']) {
        const r = await call(c.url, 'POST', '/v1/reports', hostile(eps, mech));
        expect([eps, mech, r.status, r.body]).toEqual([eps, mech, 202, { accepted: 0, rejected: [{ index: 0, error: 'epsilon: not accepted' }] }]);
      }
    const { version, rejected, ...body } = (await call(c.url, 'GET', '/v1/estimates?space=lifecycle')).body;
    expect(body).toEqual(want);
    expect(rejected).toEqual({ 'epsilon: not accepted': 15 });
  });

  it('by default (API.md: any finite ε in (0, 20]) one at ε = 1e-3 is accepted: every number stays finite, the wide cohorts suppressed; with epsilons: [1] it is refused and nothing moves', async () => {
    const c = await start();
    await call(c.url, 'POST', '/v1/reports', reports);
    expect((await call(c.url, 'POST', '/v1/reports', hostile(1e-3))).body.accepted).toBe(1);
    const got = (await call(c.url, 'GET', '/v1/estimates?space=lifecycle')).body;
    for (const g of got.cohorts) {
      // Its ±k/ε reaches every cohort: the interval no longer clears minCount, so it is withheld (null), never NaN.
      expect(g).toMatchObject({ estimate: null, stderr: null, ci95: null, suppressed: true });
    }
    const direct = createEstimator({ spaces: SPACES, minCount: 20 });
    for (const r of [...reports, hostile(1e-3)]) direct.add(r);
    for (const x of direct.estimate('lifecycle').cohorts) expect([x.estimate, x.stderr, ...x.ci95].every(Number.isFinite)).toBe(true);
    const strict = await start({ epsilons: [1] });
    await call(strict.url, 'POST', '/v1/reports', reports);
    expect((await call(strict.url, 'POST', '/v1/reports', hostile(1e-3))).body.rejected).toEqual([{ index: 0, error: 'epsilon: not accepted' }]);
    const { version, rejected, ...body } = (await call(strict.url, 'GET', '/v1/estimates?space=lifecycle')).body;
    expect(body).toEqual(want);
  });

  it('with epsilons, exactly the listed values are accepted', async () => {
    const c = await start({ epsilons: [1, 0.05] });
    expect((await call(c.url, 'POST', '/v1/reports', [hostile(0.05), hostile(0.01)])).body).toEqual({ accepted: 1, rejected: [{ index: 1, error: 'epsilon: not accepted' }] });
  });

  it('a store poisoned by an older collector (rows at ε = 1e-17, 1e-9, 1e-7) publishes the honest estimates', async () => {
    const store = createMemoryStore({});
    await store.addBatch([...reports, hostile(1e-17), hostile(1e-9, 'oue'), hostile(1e-7, 'olh')], EPOCH);
    expect((await store.rows('lifecycle', EPOCH)).length).toBe(4); // precondition: the poison is stored
    const c = await start({ store });
    const { version, rejected, ...body } = (await call(c.url, 'GET', '/v1/estimates?space=lifecycle')).body;
    expect(body).toEqual(want);
  });
});

describe('estimator numerics at small ε', () => {
  it('add() refuses ε < 1e-6 for every mechanism; its estimates stay finite down to 1e-6', () => {
    for (const mech of ['grr', 'oue', 'olh']) {
      const e = createEstimator({ spaces: [SPACE], minCount: 20 });
      for (const r of honest().slice(0, 100)) e.add(r);
      expect(e.add(hostile(1e-17, mech))).toEqual({ ok: false, error: 'epsilon: not accepted' });
      expect(e.add(hostile(1e-6, mech))).toEqual({ ok: true });
      for (const c of e.estimate('lifecycle').cohorts) {
        expect([c.estimate, c.stderr, ...c.ci95].every(Number.isFinite)).toBe(true);
        expect(c.suppressed).toBe(true); // an interval of ±1e6 does not clear minCount
      }
    }
  });

  it('p − q is computed without cancellation (expm1): exact to 1e-12 at ε = 1e-12, equal to p − q at ε = 1', () => {
    const x = -Math.expm1(-1e-12);
    expect(supportGap('grr', 4, 1e-12, 0) / (x / 4)).toBeCloseTo(1, 11);
    expect(supportGap('oue', 4, 1e-12, 0) / (x / 4)).toBeCloseTo(1, 11);
    expect(supportGap('olh', 4, 1e-12, 2) / (x / 4)).toBeCloseTo(1, 11);
    for (const [m, g] of [['grr', 0], ['oue', 0], ['olh', 4], ['ss', 0]] as const) {
      const { p, q } = mechanismParams(m, 8, 1, g);
      expect(supportGap(m, 8, 1, g)).toBeCloseTo(p - q, 14);
    }
  });

  it('estimateFromRows ignores rows below 1e-6 and merge() refuses them; readLift reads a small-ε experiment', () => {
    const row = { space: 'lifecycle', spaceVersion: 1, epoch: EPOCH, mechanism: 'grr' as const, k: 4, epsilon: 1e-17, g: 0, n: 1, support: [1, 0, 0, 0] };
    const e = createEstimator({ spaces: [SPACE] });
    for (const r of honest()) e.add(r);
    const snap = e.snapshot();
    expect(estimateFromRows([...snap.rows, row], SPACE)).toEqual(estimateFromRows(snap.rows, SPACE));
    expect(() => e.merge({ v: 1, rows: [row], ids: [] })).toThrow(/epsilon: expected a finite number ≥ 1e-6/);
    const { space } = defineExperiment({ id: 'x', slot: 's', conversion: { event: 'buy' } });
    const ex = createEstimator({ spaces: [space] });
    const rs = seededRandom(9);
    const m = createMechanism({ k: 5, epsilon: 1, mechanism: 'grr', random: rs });
    for (let i = 0; i < 200; i++) ex.add({ v: 1, id: randomId(rs), space: space.id, spaceVersion: 1, epoch: 1, k: 5, mechanism: 'grr', epsilon: 1, ...m.perturb(i % 5) });
    ex.add({ v: 1, id: randomId(rs), space: space.id, spaceVersion: 1, epoch: 1, k: 5, mechanism: 'grr', epsilon: 1e-6, value: 0 });
    expect(Number.isFinite(readLift(ex.estimate(space.id)).stderr)).toBe(true);
  });
});
