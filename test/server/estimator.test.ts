import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCohortkitError } from '../../src/errors';
import { createMechanism, mechanismParams, randomId, supports, toBase64url, varianceOf } from '../../src/privacy/index';
import * as server from '../../src/server';
import { createEstimator, estimateFromRows, rowKey, type StatsRow } from '../../src/server/index';
import type { CohortSpace, LDPReport, MechanismName } from '../../src/types';
import { makeSpace, seededRandom } from '../privacy/helpers';

const SPACE: CohortSpace = {
  id: 'lifecycle',
  description: 'lifecycle stage',
  cohorts: [
    { id: 'new', segment: 'new-visitor' },
    { id: 'active', segment: 'active' },
    { id: 'loyal', segment: 'loyal' },
    { id: 'lapsed', segment: 'lapsed' },
  ],
  fallback: 'other',
};
const V2: CohortSpace = { ...makeSpace(3, 'plans'), version: 2 };
const SPACES = [SPACE, V2];
const ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const BASE = { v: 1, id: ID, space: 'lifecycle', spaceVersion: 1, epoch: 20415, k: 5, epsilon: 1 };
const GRR = { ...BASE, mechanism: 'grr', value: 3 };
const OUE = { ...BASE, mechanism: 'oue', bits: 'Ew' }; // 0b00010011: cohorts 0, 1, 4
const OLH = { ...BASE, mechanism: 'olh', seed: 12345, g: 4, value: 1 };

const without = (o: Record<string, unknown>, key: string): Record<string, unknown> => {
  const c = { ...o };
  delete c[key];
  return c;
};

function expectThrows(fn: () => unknown, code: string, prefix: string): void {
  try {
    fn();
  } catch (e) {
    expect(isCohortkitError(e)).toBe(true);
    expect((e as { code: string }).code).toBe(code);
    expect((e as Error).message.startsWith(prefix)).toBe(true);
    return;
  }
  throw new Error('expected a throw');
}

describe('add(): validation', () => {
  it.each([GRR, OUE, OLH, { ...GRR, space: 'plans', spaceVersion: 2, k: 3, value: 2 }])('accepts a valid report %#', (r) => {
    expect(createEstimator({ spaces: SPACES }).add(r)).toEqual({ ok: true });
  });

  const bad: Array<[string, unknown]> = [
    ['report', null],
    ['report', []],
    ['report', 'x'],
    ['report', 42],
    ['v', { ...GRR, v: 2 }],
    ['v', { ...GRR, v: '1' }],
    ['v', without(GRR, 'v')],
    ['id', { ...GRR, id: ID.slice(1) }],
    ['id', { ...GRR, id: ID + 'A' }],
    ['id', { ...GRR, id: 'AAAAAAAAAAAAAAAAAAAA+A' }],
    ['id', { ...GRR, id: 'AAAAAAAAAAAAAAAAAAAAAB' }], // non-canonical: trailing bits set
    ['id', { ...GRR, id: 12 }],
    ['id', without(GRR, 'id')],
    ['space', { ...GRR, space: 'nope' }],
    ['space', { ...GRR, space: 1 }],
    ['space', { ...GRR, space: '__proto__' }],
    ['space', without(GRR, 'space')],
    ['spaceVersion', { ...GRR, spaceVersion: 2 }],
    ['spaceVersion', { ...GRR, spaceVersion: '1' }],
    ['spaceVersion', { ...GRR, space: 'plans', k: 3, value: 0 }],
    ['spaceVersion', without(GRR, 'spaceVersion')],
    ['epoch', { ...GRR, epoch: -1 }],
    ['epoch', { ...GRR, epoch: 1.5 }],
    ['epoch', { ...GRR, epoch: '20415' }],
    ['epoch', { ...GRR, epoch: NaN }],
    ['epoch', without(GRR, 'epoch')],
    ['k', { ...GRR, k: 4 }],
    ['k', { ...GRR, k: 6 }],
    ['k', { ...GRR, k: '5' }],
    ['k', without(GRR, 'k')],
    ['mechanism', { ...GRR, mechanism: 'rr' }],
    ['mechanism', { ...GRR, mechanism: 'GRR' }],
    ['mechanism', without(GRR, 'mechanism')],
    ['epsilon', { ...GRR, epsilon: 0 }],
    ['epsilon', { ...GRR, epsilon: -1 }],
    ['epsilon', { ...GRR, epsilon: Infinity }],
    ['epsilon', { ...GRR, epsilon: NaN }],
    ['epsilon', { ...GRR, epsilon: '1' }],
    ['epsilon', { ...GRR, epsilon: null }],
    ['value', { ...GRR, value: 5 }],
    ['value', { ...GRR, value: -1 }],
    ['value', { ...GRR, value: 1.5 }],
    ['value', { ...GRR, value: '3' }],
    ['value', without(GRR, 'value')],
    ['bits', { ...OUE, bits: 'EwA' }], // 2 bytes, k = 5 needs 1
    ['bits', { ...OUE, bits: '' }],
    ['bits', { ...OUE, bits: 'IA' }], // bit 5 set
    ['bits', { ...OUE, bits: 'gA' }], // bit 7 set
    ['bits', { ...OUE, bits: 'Ew==' }],
    ['bits', { ...OUE, bits: 'E+' }],
    ['bits', { ...OUE, bits: 'Ex' }], // non-canonical
    ['bits', { ...OUE, bits: 19 }],
    ['bits', without(OUE, 'bits')],
    ['seed', { ...OLH, seed: -1 }],
    ['seed', { ...OLH, seed: 2 ** 32 }],
    ['seed', { ...OLH, seed: 1.5 }],
    ['seed', without(OLH, 'seed')],
    ['g', { ...OLH, g: 1 }],
    ['g', { ...OLH, g: 2.5 }],
    ['g', { ...OLH, g: 2 ** 32 + 1 }],
    ['g', { ...OLH, g: '4' }],
    ['g', without(OLH, 'g')],
    ['value', { ...OLH, value: 4 }],
    ['value', { ...OLH, value: -1 }],
    ['value', without(OLH, 'value')],
    ['extra', { ...GRR, extra: 1 }],
    ['bits', { ...GRR, bits: 'Ew' }],
    ['value', { ...OUE, value: 1 }],
    ['bits', { ...OLH, bits: 'Ew' }],
    ['seed', { ...GRR, seed: 1 }],
  ];
  it.each(bad)('rejects a bad %s (%#)', (field, report) => {
    const est = createEstimator({ spaces: SPACES });
    const res = est.add(report);
    expect(res.ok).toBe(false);
    expect((res as { error: string }).error.startsWith(`${field}: `)).toBe(true);
    expect(est.snapshot().rows).toEqual([]);
  });

  it('names the expected range in the message', () => {
    expect(createEstimator({ spaces: SPACES }).add({ ...GRR, value: 7 })).toEqual({ ok: false, error: 'value: expected an integer in [0, 5)' });
  });

  it('never throws, even for hostile objects', () => {
    const est = createEstimator({ spaces: SPACES });
    const trap = new Proxy({}, { ownKeys: () => { throw new Error('boom'); }, get: () => { throw new Error('boom'); } });
    const getter = Object.defineProperty({ ...GRR }, 'value', { get: () => { throw new Error('boom'); }, enumerable: true });
    for (const r of [trap, getter, undefined, Symbol('x'), () => 1, Object.create(null)]) {
      const res = est.add(r);
      expect(res.ok).toBe(false);
    }
  });

  it('dedupes by id; a rejected report does not consume its id', () => {
    const est = createEstimator({ spaces: SPACES });
    expect(est.add({ ...GRR, value: 9 }).ok).toBe(false);
    expect(est.add(GRR)).toEqual({ ok: true });
    expect(est.add(GRR)).toEqual({ ok: false, error: 'duplicate' });
    expect(est.add({ ...OLH })).toEqual({ ok: false, error: 'duplicate' }); // same id, other content
    expect(est.estimate('lifecycle').n).toBe(1);
  });

  it('remembers at most dedupeWindow ids, forgetting the oldest first', () => {
    const est = createEstimator({ spaces: SPACES, dedupeWindow: 2 });
    const ids = ['A', 'B', 'C'].map((c) => c.repeat(21) + 'A');
    for (const id of ids) expect(est.add({ ...GRR, id }).ok).toBe(true);
    expect(est.snapshot().ids).toEqual(ids.slice(1));
    expect(est.add({ ...GRR, id: ids[2] })).toEqual({ ok: false, error: 'duplicate' });
    expect(est.add({ ...GRR, id: ids[0] })).toEqual({ ok: true }); // evicted: counted again
    const off = createEstimator({ spaces: SPACES, dedupeWindow: 0 });
    expect(off.add(GRR).ok && off.add(GRR).ok).toBe(true);
  });
});

describe('createEstimator options', () => {
  it.each<[string, unknown]>([
    ['options', null],
    ['spaces', { spaces: 'x' }],
    ['spaces[0].id', { spaces: [{ ...SPACE, id: 'Bad Id' }] }],
    ['spaces[1].id', { spaces: [SPACE, SPACE] }],
    ['spaces[0].cohorts', { spaces: [{ ...SPACE, cohorts: [] }] }],
    ['spaces[0].cohorts[1].id', { spaces: [{ ...SPACE, cohorts: [SPACE.cohorts[0], SPACE.cohorts[0]] }] }],
    ['spaces[0].fallback', { spaces: [{ ...SPACE, fallback: 'new' }] }],
    ['spaces[0].version', { spaces: [{ ...SPACE, version: 0 }] }],
    ['minCount', { spaces: SPACES, minCount: -1 }],
    ['minCount', { spaces: SPACES, minCount: '5' }],
    ['dedupeWindow', { spaces: SPACES, dedupeWindow: 1.5 }],
  ])('rejects a bad %s', (path, opts) => {
    expectThrows(() => createEstimator(opts as never), 'invalid-options', `${path}: `);
  });
});

describe('estimate()', () => {
  it('is exact on a hand-computed GRR example', () => {
    const space = makeSpace(3, 's');
    const est = createEstimator({ spaces: [space] });
    const eps = Math.LN2; // e^ε = 2: p = 1/2, q = 1/4
    [0, 0, 1, 2].forEach((value, i) =>
      expect(est.add({ v: 1, id: String.fromCharCode(65 + i).repeat(21) + 'A', space: 's', spaceVersion: 1, epoch: 3, k: 3, mechanism: 'grr', epsilon: eps, value }).ok).toBe(true),
    );
    const res = est.estimate('s');
    expect(res.space).toBe('s');
    expect(res.epoch).toBe(3);
    expect(res.n).toBe(4);
    expect(res.cohorts.map((c) => c.id)).toEqual(['c0', 'c1', 'other']);
    expect(res.cohorts[0].estimate).toBeCloseTo(4, 10); // (2 − 4·¼)/¼
    expect(res.cohorts[1].estimate).toBeCloseTo(0, 10);
    expect(res.cohorts[0].stderr).toBeCloseTo(4, 10); // √(4·¼·¾/¼² + 4·¼/¼)
    expect(res.cohorts[1].stderr).toBeCloseTo(Math.sqrt(12), 10);
    expect(res.cohorts[0].ci95[0]).toBeCloseTo(4 - 1.96 * 4, 10);
    expect(res.cohorts[0].ci95[1]).toBeCloseTo(4 + 1.96 * 4, 10);
    expect(res.cohorts.every((c) => c.suppressed === false)).toBe(true);
  });

  it('with no reports: n 0 and zeros everywhere; echoes an epoch asked for', () => {
    const est = createEstimator({ spaces: SPACES });
    const zero = { estimate: 0, stderr: 0, ci95: [0, 0], suppressed: false };
    expect(est.estimate('lifecycle')).toEqual({
      space: 'lifecycle',
      n: 0,
      cohorts: ['new', 'active', 'loyal', 'lapsed', 'other'].map((id) => ({ id, ...zero })),
    });
    expect(est.estimate('lifecycle', 7)).toMatchObject({ epoch: 7, n: 0 });
    est.add(GRR);
    expect(est.estimate('lifecycle', 7).n).toBe(0);
    expect(est.estimate('plans').n).toBe(0);
  });

  it('defaults to the most recent epoch with reports', () => {
    const est = createEstimator({ spaces: SPACES });
    const rs = seededRandom(5);
    for (const [epoch, count] of [[12, 3], [10, 5], [11, 2]]) {
      for (let i = 0; i < count; i++) est.add({ ...GRR, id: randomId(rs), epoch });
    }
    expect(est.estimate('lifecycle')).toMatchObject({ epoch: 12, n: 3 });
    expect(est.estimate('lifecycle', 10)).toMatchObject({ epoch: 10, n: 5 });
  });

  it('rejects an unknown space or a bad epoch', () => {
    const est = createEstimator({ spaces: SPACES });
    expectThrows(() => est.estimate('nope'), 'invalid-argument', 'space: ');
    expectThrows(() => est.estimate('lifecycle', -1), 'invalid-argument', 'epoch: ');
  });

  it('sums per-group estimates and variances over mixed mechanisms and ε', () => {
    const est = createEstimator({ spaces: SPACES });
    const rs = seededRandom(21);
    const groups: Array<[MechanismName, number]> = [['grr', 1], ['grr', 2], ['oue', 0.5], ['olh', 3]];
    const reports: LDPReport[] = [];
    for (const [mechanism, epsilon] of groups) {
      const m = createMechanism({ k: 5, epsilon, mechanism, random: rs });
      for (let i = 0; i < 300; i++) reports.push({ ...BASE, id: randomId(rs), mechanism, epsilon, ...m.perturb(i % 5) } as LDPReport);
    }
    for (const r of reports) expect(est.add(r).ok).toBe(true);
    const res = est.estimate('lifecycle');
    expect(res.n).toBe(1200);
    expect(est.snapshot().rows).toHaveLength(4);
    // independent computation from the reports
    for (let i = 0; i < 5; i++) {
      let e = 0;
      let v = 0;
      for (const [mechanism, epsilon] of groups) {
        const mine = reports.filter((r) => r.mechanism === mechanism && r.epsilon === epsilon);
        const s = mine.filter((r) => supports(r, 5).includes(i)).length;
        const g = mechanism === 'olh' ? (mine[0] as { g: number }).g : 0;
        const { p, q } = mechanismParams(mechanism, 5, epsilon, g);
        const ge = (s - mine.length * q) / (p - q);
        e += ge;
        v += varianceOf(p, q, mine.length, Math.max(0, ge));
      }
      expect(res.cohorts[i].estimate).toBeCloseTo(e, 8);
      expect(res.cohorts[i].stderr).toBeCloseTo(Math.sqrt(v), 8);
    }
  });

  it('marks cohorts whose ci95 lower bound is below minCount as suppressed', () => {
    const est = createEstimator({ spaces: SPACES, minCount: 100 });
    const rs = seededRandom(8);
    const m = createMechanism({ k: 5, epsilon: 2, mechanism: 'grr', random: rs });
    const truth = [2000, 600, 40, 0, 300];
    truth.forEach((count, i) => {
      for (let j = 0; j < count; j++) est.add({ ...BASE, id: randomId(rs), mechanism: 'grr', epsilon: 2, ...m.perturb(i) });
    });
    const res = est.estimate('lifecycle');
    for (const c of res.cohorts) expect(c.suppressed).toBe(c.ci95[0] < 100);
    expect(res.cohorts[0].suppressed).toBe(false);
    expect(res.cohorts[3].suppressed).toBe(true);
    expect(createEstimator({ spaces: SPACES, minCount: 1 }).estimate('lifecycle').cohorts[0].suppressed).toBe(true);
  });
});

describe('snapshot() and merge()', () => {
  const feed = (seed: number, count: number): LDPReport[] => {
    const rs = seededRandom(seed);
    const mechs = (['grr', 'oue', 'olh'] as const).map((mechanism) => createMechanism({ k: 5, epsilon: 1, mechanism, random: rs }));
    return Array.from({ length: count }, (_, i) => {
      const m = mechs[i % 3];
      return { ...BASE, epoch: 100 + (i % 2), id: randomId(rs), mechanism: m.name, ...m.perturb(i % 5) } as LDPReport;
    });
  };

  it('merging snapshots equals feeding one estimator everything', () => {
    const reports = feed(1, 600);
    const one = createEstimator({ spaces: SPACES });
    const a = createEstimator({ spaces: SPACES });
    const b = createEstimator({ spaces: SPACES });
    reports.forEach((r, i) => {
      one.add(r);
      (i < 250 ? a : b).add(r);
    });
    const wire = JSON.parse(JSON.stringify(b.snapshot()));
    a.merge(wire);
    for (const epoch of [100, 101]) expect(a.estimate('lifecycle', epoch)).toEqual(one.estimate('lifecycle', epoch));
    expect(a.estimate('lifecycle')).toEqual(one.estimate('lifecycle'));
    const sortRows = (rows: StatsRow[]): StatsRow[] => [...rows].sort((x, y) => (rowKey(x) < rowKey(y) ? -1 : 1));
    expect(sortRows(a.snapshot().rows)).toEqual(sortRows(one.snapshot().rows));
    expect(new Set(a.snapshot().ids)).toEqual(new Set(one.snapshot().ids));
    expect(a.add(reports[599])).toEqual({ ok: false, error: 'duplicate' }); // ids merged too
    // estimateFromRows over the raw snapshot rows gives the same answer
    expect(estimateFromRows(one.snapshot().rows, SPACE, { epoch: 100 })).toEqual(one.estimate('lifecycle', 100));
  });

  it('snapshot() is plain JSON and a copy', () => {
    const est = createEstimator({ spaces: SPACES });
    est.add(OUE);
    const snap = est.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap).toEqual({
      v: 1,
      ids: [ID],
      rows: [{ space: 'lifecycle', spaceVersion: 1, epoch: 20415, mechanism: 'oue', k: 5, epsilon: 1, g: 0, n: 1, support: [1, 1, 0, 0, 1] }],
    });
    snap.rows[0].support[0] = 99;
    expect(est.snapshot().rows[0].support[0]).toBe(1);
  });

  const row = { space: 'lifecycle', spaceVersion: 1, epoch: 1, mechanism: 'grr', k: 5, epsilon: 1, g: 0, n: 2, support: [1, 1, 0, 0, 0] };
  it.each<[string, unknown]>([
    ['snapshot', null],
    ['snapshot', { v: 2, rows: [], ids: [] }],
    ['snapshot.rows', { v: 1, rows: {}, ids: [] }],
    ['snapshot.ids', { v: 1, rows: [], ids: ['short'] }],
    ['snapshot.ids', { v: 1, rows: [] }],
    ['snapshot.rows[1]', { v: 1, rows: [row, 5], ids: [] }],
    ['snapshot.rows[0]', { v: 1, rows: [{ ...row, space: 'nope' }], ids: [] }],
    ['snapshot.rows[0]', { v: 1, rows: [{ ...row, k: 4, support: [0, 0, 0, 0] }], ids: [] }],
    ['snapshot.rows[0].epoch', { v: 1, rows: [{ ...row, epoch: -3 }], ids: [] }],
    ['snapshot.rows[0].mechanism', { v: 1, rows: [{ ...row, mechanism: 'x' }], ids: [] }],
    ['snapshot.rows[0].epsilon', { v: 1, rows: [{ ...row, epsilon: 0 }], ids: [] }],
    ['snapshot.rows[0].g', { v: 1, rows: [{ ...row, g: 4 }], ids: [] }],
    ['snapshot.rows[0].g', { v: 1, rows: [{ ...row, mechanism: 'olh', g: 0 }], ids: [] }],
    ['snapshot.rows[0].n', { v: 1, rows: [{ ...row, n: -1 }], ids: [] }],
    ['snapshot.rows[0].support', { v: 1, rows: [{ ...row, support: [3, 0, 0, 0, 0] }], ids: [] }],
    ['snapshot.rows[0].support', { v: 1, rows: [{ ...row, support: [1, 1, 0, 0] }], ids: [] }],
    ['snapshot.rows[0].support', { v: 1, rows: [{ ...row, support: [1, 0.5, 0, 0, 0] }], ids: [] }],
    ['snapshot.rows[0]', { v: 1, rows: [{ ...row, extra: 1 }], ids: [] }],
  ])('merge() rejects garbage at %s and changes nothing', (prefix, snap) => {
    const est = createEstimator({ spaces: SPACES });
    est.add(GRR);
    const before = est.snapshot();
    expectThrows(() => est.merge(snap), 'invalid-argument', prefix);
    expect(est.snapshot()).toEqual(before);
  });
});

describe('wire format (property)', () => {
  it('any perturb() output in the wire envelope is accepted and has exactly the wire keys', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 40 }),
        fc.double({ min: 0.01, max: 12, noNaN: true }),
        fc.constantFrom<'auto' | MechanismName>('auto', 'grr', 'oue', 'olh', 'ss'),
        fc.nat(),
        fc.nat({ max: 50000 }),
        fc.nat(),
        (k, epsilon, mechanism, idx, epoch, seed) => {
          const rs = seededRandom(seed);
          const space = makeSpace(k, 'p');
          const m = createMechanism({ k, epsilon, mechanism, random: rs });
          const report = { v: 1, id: randomId(rs), space: 'p', spaceVersion: 1, epoch, k, mechanism: m.name, epsilon, ...m.perturb(idx % k) };
          const keys = ['v', 'id', 'space', 'spaceVersion', 'epoch', 'k', 'mechanism', 'epsilon'].concat(
            m.name === 'grr' ? ['value'] : m.name === 'oue' ? ['bits'] : m.name === 'ss' ? ['items'] : ['seed', 'g', 'value'],
          );
          expect(Object.keys(report).sort()).toEqual(keys.sort());
          const est = createEstimator({ spaces: [space] });
          expect(est.add(JSON.parse(JSON.stringify(report)))).toEqual({ ok: true });
          expect(est.estimate('p').n).toBe(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('cohortkit/server re-exports the estimator', () => {
    expect(server.createEstimator).toBe(createEstimator);
    expect(typeof server.estimateFromRows).toBe('function');
    expect(toBase64url(new Uint8Array([0x13]))).toBe('Ew'); // the OUE fixture above
  });
});
