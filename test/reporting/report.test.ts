import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildReport, memoKey, type CompiledSpace } from '../../src/reporting';
import { createEstimator } from '../../src/server';
import { seeded } from './helpers';

const makeSpace = (n: number, id = 'space', version = 1): CompiledSpace => ({
  id,
  version,
  description: 'test space',
  k: n + 1,
  cohorts: Array.from({ length: n }, (_, i) => ({ id: `c${i}`, segment: `s${i}` })),
  fallback: 'none',
  purposes: ['measurement', 'personalization'],
});

const BASE = ['v', 'id', 'space', 'spaceVersion', 'epoch', 'k', 'mechanism', 'epsilon'];
const PART = { grr: ['value'], oue: ['bits'], olh: ['seed', 'g', 'value'], ss: ['items'] };

describe('buildReport', () => {
  it('property: exact wire keys in order, accepted by the server estimator', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0.05, max: 8, noNaN: true }),
        fc.constantFrom('auto' as const, 'grr' as const, 'oue' as const, 'olh' as const, 'ss' as const),
        fc.nat(),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer(),
        (n, epsilon, mechanism, i, epoch, version, seed) => {
          const space = makeSpace(n, 'lifecycle', version);
          const index = i % space.k;
          const { report, memo } = buildReport({ space, epoch, index, epsilon, mechanism, random: seeded(seed) });
          expect(Object.keys(report)).toEqual([...BASE, ...PART[report.mechanism]]);
          if (mechanism !== 'auto') expect(report.mechanism).toBe(mechanism);
          expect(report).toMatchObject({ v: 1, space: 'lifecycle', spaceVersion: version, epoch, k: n + 1, epsilon });
          expect(report.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
          expect(memo.key).toBe(memoKey(space, index, epsilon, mechanism));
          const est = createEstimator({ spaces: [space] });
          expect(est.add(JSON.parse(JSON.stringify(report)))).toEqual({ ok: true });
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each(['grr', 'oue', 'olh'] as const)('%s: a memo is reused with a fresh id each epoch', (mechanism) => {
    const space = makeSpace(6);
    const first = buildReport({ space, epoch: 100, index: 2, epsilon: 1, mechanism });
    const ids = new Set([first.report.id]);
    for (let epoch = 101; epoch < 130; epoch++) {
      const next = buildReport({ space, epoch, index: 2, epsilon: 1, mechanism, memo: first.memo });
      const { id, epoch: e, ...rest } = next.report;
      const { id: _id, epoch: _e, ...firstRest } = first.report;
      expect(rest).toEqual(firstRest);
      expect(e).toBe(epoch);
      expect(next.memo).toEqual(first.memo);
      ids.add(id);
    }
    expect(ids.size).toBe(30);
  });

  it('without a memo, GRR draws are fresh (an averaging attack would work)', () => {
    const space = makeSpace(1); // k = 2
    const values = new Set<number>();
    for (let s = 1; s < 200; s++) values.add((buildReport({ space, epoch: 1, index: 0, epsilon: 0.5, mechanism: 'grr', random: seeded(s) }).report as { value: number }).value);
    expect(values).toEqual(new Set([0, 1]));
  });

  it('ignores a memo for another key (cohort, ε, version, mechanism) or a corrupted memo', () => {
    const space = makeSpace(3);
    const memo = { key: memoKey(space, 1, 1, 'grr'), value: { value: 3 } };
    const randomDraws = (m: typeof memo, index: number, epsilon = 1, s = space) =>
      new Set(Array.from({ length: 60 }, (_, i) => (buildReport({ space: s, epoch: 1, index, epsilon, mechanism: 'grr', memo: m, random: seeded(i + 1) }).report as { value: number }).value));
    expect(randomDraws(memo, 1)).toEqual(new Set([3]));
    expect(randomDraws(memo, 2).size).toBeGreaterThan(1);
    expect(randomDraws(memo, 1, 2).size).toBeGreaterThan(1);
    expect(randomDraws(memo, 1, 1, { ...space, version: 2 }).size).toBeGreaterThan(1);
    const bad = { key: memo.key, value: { value: 9 } };
    const r = buildReport({ space, epoch: 1, index: 1, epsilon: 1, mechanism: 'grr', memo: bad });
    expect((r.report as { value: number }).value).toBeLessThan(4);
    expect(r.memo.value).not.toEqual(bad.value);
  });

  it('memoKey resolves auto to the chosen mechanism', () => {
    const space = makeSpace(3);
    expect(memoKey(space, 0, 1, 'auto')).toBe(memoKey(space, 0, 1, 'grr'));
    expect(memoKey(makeSpace(31), 0, 1)).toBe(memoKey(makeSpace(31), 0, 1, 'ss'));
    expect(memoKey(makeSpace(80), 0, 1)).toBe(memoKey(makeSpace(80), 0, 1, 'olh'));
  });

  it('rejects a bad index or epoch with invalid-argument', () => {
    const space = makeSpace(2);
    expect(() => buildReport({ space, epoch: 1, index: 3, epsilon: 1 })).toThrow(/index/);
    expect(() => buildReport({ space, epoch: -1, index: 0, epsilon: 1 })).toThrow(/epoch/);
    expect(() => buildReport({ space, epoch: 1, index: 0, epsilon: 0 })).toThrow(/epsilon/);
  });
});
