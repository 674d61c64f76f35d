// The pure half of report.lifetimeBudget: what counts as a fresh draw, and the accountant.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowsFresh, buildReport, lifetimeView, readLifetime, reusesMemo, type CompiledSpace, type ReportMemo } from '../../src/reporting';

const makeSpace = (n: number): CompiledSpace => ({
  id: 'space',
  version: 1,
  description: 'test space',
  k: n + 1,
  cohorts: Array.from({ length: n }, (_, i) => ({ id: `c${i}`, segment: `s${i}` })),
  fallback: 'none',
  purposes: ['measurement'],
});
const mech = fc.constantFrom('auto' as const, 'grr' as const, 'oue' as const, 'olh' as const, 'ss' as const);

describe('fresh draws', () => {
  it('property: reusesMemo agrees with buildReport.fresh, for real, foreign and corrupted memos', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0.1, max: 6, noNaN: true }),
        mech,
        fc.nat(),
        fc.nat(),
        fc.constantFrom('same', 'other', 'garbage', 'none'),
        fc.jsonValue(),
        (n, epsilon, mechanism, a, b, kind, junk) => {
          const space = makeSpace(n);
          const i = a % space.k;
          const j = b % space.k;
          const first = buildReport({ space, epoch: 1, index: kind === 'same' ? i : j, epsilon, mechanism }).memo;
          const memo: ReportMemo | undefined =
            kind === 'none' ? undefined : kind === 'garbage' ? { key: first.key, value: junk as never } : first;
          const r = buildReport({ space, epoch: 2, index: i, epsilon, mechanism, memo });
          expect(reusesMemo(space, i, epsilon, mechanism, memo)).toBe(!r.fresh);
          if (kind === 'same') expect(r.fresh).toBe(false);
          if (kind === 'none') expect(r.fresh).toBe(true);
          if (!r.fresh) expect(r.memo.value).toEqual(memo!.value);
        },
      ),
    );
  });
});

describe('the accountant', () => {
  it('reads hostile stored records fail-closed', () => {
    expect(readLifetime(undefined, 2)).toEqual({});
    expect(readLifetime('x', 2)).toEqual({});
    expect(readLifetime([1, 2], 2)).toEqual({});
    expect(readLifetime({ a: 1, b: -1, c: NaN, d: 'x', e: Infinity, f: null }, 2)).toEqual({ a: 1, b: 2, c: 2, d: 2, e: 2, f: 2 });
    expect(readLifetime({ a: 1, b: 'x' })).toEqual({ a: 1, b: 0 });
  });

  it('allows a fresh draw exactly while spent + ε ≤ budget (with float tolerance)', () => {
    expect(allowsFresh({ s: 0.1 + 0.1 }, 's', 0.1, 0.3)).toBe(true);
    expect(allowsFresh({ s: 0.3 }, 's', 0.1, 0.3)).toBe(false);
    expect(allowsFresh({}, 's', 1, 0.5)).toBe(false);
    expect(allowsFresh({ s: 1e9 }, 's', 1, undefined)).toBe(true);
  });

  it('views totals, per space and exhausted configured spaces', () => {
    expect(lifetimeView({ a: 2, b: 0.5 }, ['a', 'b', 'c'], 1, 2)).toEqual({ spent: 2.5, bySpace: { a: 2, b: 0.5 }, budget: 2, exhausted: ['a'] });
    expect(lifetimeView({ a: 2 }, ['a'], 1, undefined)).toEqual({ spent: 2, bySpace: { a: 2 }, budget: null, exhausted: [] });
  });
});
