import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addToRollup, countSince, dayOf, expireRollups, minimize, propsKey, MAX_TIMES } from '../../src/signals';
import type { SignalRollup } from '../../src/signals';

describe('minimize', () => {
  const reads = new Map([
    ['purchase', new Set(['price', 'plan'])],
    ['view', new Set<string>()],
  ]);
  it('drops unreferenced events', () => {
    expect(minimize('scroll', { a: 1 }, reads)).toBeNull();
  });
  it('keeps only the referenced keys that are present', () => {
    expect(minimize('purchase', { price: 10, plan: 'pro', email: 'a@b.c' }, reads)).toEqual({ price: 10, plan: 'pro' });
    expect(minimize('purchase', { email: 'a@b.c' }, reads)).toEqual({});
    expect(minimize('view', { path: '/x' }, reads)).toEqual({});
  });
  it('does not pick up inherited keys', () => {
    expect(minimize('x', {}, new Map([['x', new Set(['toString'])]]))).toEqual({});
  });
});

describe('propsKey', () => {
  it('is canonical: sorted keys, JSON values', () => {
    expect(propsKey({ b: 1, a: 'x', c: true })).toBe('{"a":"x","b":1,"c":true}');
    expect(propsKey({})).toBe('{}');
    expect(propsKey({ 10: 1, 9: 2 })).toBe('{"10":1,"9":2}');
  });
  it('is equal exactly when the props are equal', () => {
    const props = fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: 0, max: 3 }), fc.boolean()), { maxKeys: 4 });
    fc.assert(
      fc.property(props, props, (a, b) => {
        const reversed = Object.fromEntries(Object.entries(a).reverse());
        expect(propsKey(reversed)).toBe(propsKey(a));
        const same = Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => k in b && Object.is(a[k], b[k]));
        expect(propsKey(a) === propsKey(b)).toBe(same);
      }),
    );
  });
});

describe('rollups', () => {
  const DAY = 86400000;
  it('dayOf counts UTC days', () => {
    expect(dayOf(0)).toBe(0);
    expect(dayOf(DAY - 1)).toBe(0);
    expect(dayOf(Date.UTC(2025, 11, 24))).toBe(20446);
    expect(dayOf(-1)).toBe(-1);
  });

  it('creates and updates without mutating', () => {
    const a = addToRollup(undefined, 'view', { p: 1 }, 5000);
    expect(a).toEqual({ event: 'view', props: { p: 1 }, day: 0, count: 1, first: 5000, last: 5000, times: [5000] });
    const b = addToRollup(a, 'view', { p: 1 }, 7000);
    const c = addToRollup(b, 'view', { p: 1 }, 6000);
    expect(a.count).toBe(1);
    expect(b.times).toEqual([5000, 7000]);
    expect(c).toMatchObject({ count: 3, first: 5000, last: 7000, times: [5000, 6000, 7000] });
  });

  it('keeps the 64 most recent times, ascending, and counts everything', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 150 }), (ts) => {
        let r: SignalRollup | undefined;
        for (const t of ts) r = addToRollup(r, 'e', {}, t);
        const sorted = [...ts].sort((x, y) => x - y);
        expect(r!.count).toBe(ts.length);
        expect(r!.first).toBe(sorted[0]);
        expect(r!.last).toBe(sorted[sorted.length - 1]);
        expect(r!.times.length).toBe(Math.min(ts.length, MAX_TIMES));
        // the most recent 64 ever seen, ascending, whatever the arrival order
        expect(r!.times).toEqual(sorted.slice(-MAX_TIMES));
      }),
    );
  });

  it('keeps exactly the 64 latest when times arrive in order', () => {
    let r: SignalRollup | undefined;
    for (let t = 1; t <= 100; t++) r = addToRollup(r, 'e', {}, t);
    expect(r!.times).toEqual(Array.from({ length: 64 }, (_, i) => 37 + i));
    expect(r!.count).toBe(100);
  });

  it('expires by last, trims times, and keeps unchanged rollups by identity', () => {
    const mk = (times: number[], count = times.length): SignalRollup => ({ event: 'e', props: {}, day: 0, count, first: times[0], last: times[times.length - 1], times });
    const old = mk([100, 200]);
    const edge = mk([300, 1000]);
    const fresh = mk([1000, 1100]);
    const big = mk([950, 980, 1000], 500); // 497 untracked events before 950
    const out = expireRollups([old, edge, fresh, big], 2000, 1000); // cutoff 1000
    expect(out).toHaveLength(3);
    expect(out[0]).toEqual({ ...edge, times: [1000], count: 1, first: 1000 });
    expect(out[1]).toBe(fresh);
    expect(out[2]).toMatchObject({ times: [1000], count: 1, first: 1000 });
    expect(expireRollups([mk([999])], 2000, 1000)).toEqual([]);
    expect(expireRollups([mk([1000])], 2000, 1000)).toHaveLength(1);
  });

  it('countSince counts stored events of a name from a time on', () => {
    let a: SignalRollup | undefined;
    for (const t of [10, 20, 30, 40]) a = addToRollup(a, 'click', { x: 1 }, t);
    const b = addToRollup(undefined, 'click', { x: 2 }, 35);
    const c = addToRollup(undefined, 'view', {}, 35);
    expect(countSince([a!, b, c], 'click', 0)).toBe(5);
    expect(countSince([a!, b, c], 'click', 30)).toBe(3);
    expect(countSince([a!, b, c], 'click', 41)).toBe(0);
    expect(countSince([a!, b, c], 'view', 35)).toBe(1);
  });

  it('countSince uses the count when the whole rollup is in range', () => {
    let r: SignalRollup | undefined;
    for (let t = 0; t < 100; t++) r = addToRollup(r, 'e', {}, 1000 + t);
    expect(countSince([r!], 'e', 1000)).toBe(100);
    expect(countSince([r!], 'e', 1090)).toBe(10);
  });
});
