import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClient, defineAudit } from '../../src/index';
import { createEstimator, readAudit } from '../../src/server';
import { isCohortkitError } from '../../src/errors';
import { fiellerRatio } from '../../src/metrics';
import type { SegmentDefinition } from '../../src/types';

const audit = defineAudit({
  id: 'subs',
  segment: 'subscriber',
  groups: [
    { id: 'mobile', segment: 'on-mobile' },
    { id: 'returning', segment: 'returning' },
  ],
});
const base: SegmentDefinition[] = [
  { id: 'on-mobile', description: 'mobile', rule: { event: 'cohort', where: { g: 'mobile' } } },
  { id: 'returning', description: 'returning', rule: { event: 'visit', count: { gte: 2 } } },
  { id: 'subscriber', description: 'subscribed', rule: { event: 'subscribe' } },
];

const throws = (f: () => unknown, code: string, path: RegExp) => {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(isCohortkitError(err), String(err)).toBe(true);
  expect((err as { code: string }).code).toBe(code);
  expect((err as Error).message).toMatch(path);
};

describe('defineAudit', () => {
  it('builds the audit-<id> space: <group>-in/-out per group in order, fallback ungrouped', () => {
    expect(audit.space.id).toBe('audit-subs');
    expect(audit.space.cohorts.map((c) => c.id)).toEqual(['mobile-in', 'mobile-out', 'returning-in', 'returning-out']);
    expect(audit.space.fallback).toBe('ungrouped');
    expect(audit.segments).toHaveLength(4);
  });

  it('the real client accepts it; a visitor in both groups counts in the first; in/out follows the segment', async () => {
    let t = Date.UTC(2026, 0, 5, 12);
    const c = await createClient({ storage: 'memory', segments: [...base, ...audit.segments], cohorts: [audit.space], now: () => (t += 5000) });
    await c.consent.update({ personalization: true, measurement: true });
    const member = async () => {
      const out: string[] = [];
      for (const s of audit.space.cohorts) if ((await c.explain(s.segment)).member) out.push(s.id);
      return out;
    };
    expect(await member()).toEqual([]); // ungrouped
    await c.track('visit');
    await c.track('visit');
    expect(await member()).toEqual(['returning-out']);
    await c.track('cohort', { g: 'mobile' });
    expect(await member()).toEqual(['mobile-out']); // first matching group wins
    await c.track('subscribe');
    expect(await member()).toEqual(['mobile-in']);
    await c.close();
  });

  it('audit segments add no purpose of their own unless asked', async () => {
    expect(audit.segments.every((s) => Array.isArray(s.purposes) && s.purposes.length === 0)).toBe(true);
    const withP = defineAudit({ id: 'x', segment: 's', groups: [{ id: 'a', segment: 'a' }], purposes: ['measurement'] });
    expect(withP.segments[0]!.purposes).toEqual(['measurement']);
  });

  it.each([
    [undefined, /^options: expected a plain object/],
    [{ id: 'x', segment: 's', groups: [] }, /^groups: expected a non-empty array/],
    [{ id: 'X!', segment: 's', groups: [{ id: 'a', segment: 'a' }] }, /^id: expected an id/],
    [{ id: 'x', segment: 7, groups: [{ id: 'a', segment: 'a' }] }, /^segment: expected an id/],
    [{ id: 'x', segment: 's', groups: [{ id: 'a', segment: 'a' }, { id: 'a', segment: 'b' }] }, /^groups\[1\]\.id: duplicate id "a"/],
    [{ id: 'x', segment: 's', groups: [{ id: 'ungrouped', segment: 'a' }] }, /^groups\[0\]\.id: "ungrouped" is the fallback/],
    [{ id: 'x', segment: 's', groups: [{ id: 'a'.repeat(61), segment: 'a' }] }, /^groups\[0\]\.id: expected at most 60/],
    [{ id: 'x', segment: 's', groups: [{ id: 'a', segment: 'a', extra: 1 }] }, /^groups\[0\]\.extra: unknown key/],
    [{ id: 'x', segment: 's', groups: [{ id: 'a', segment: 'a' }], purposes: ['Nope'] }, /^purposes\[0\]: expected an id/],
    [{ id: 'x', segment: 's', groups: Array.from({ length: 33 }, (_, i) => ({ id: `g${i}`, segment: 'a' })) }, /^groups: expected at most 32/],
    [{ id: 'a'.repeat(60), segment: 's', groups: [{ id: 'g', segment: 'a' }] }, /^id: too long/],
    [{ id: 'x', segment: 's', groups: 'a,b' }, /^groups: expected a non-empty array/],
    [{ id: 'x', segment: 's', groups: [null] }, /^groups\[0\]: expected a plain object/],
    // A group that is the audited segment reads 100%; a second group on an earlier one's segment never has a member.
    [{ id: 'x', segment: 's', groups: [{ id: 'a', segment: 'a' }, { id: 'b', segment: 's' }] }, /^groups\[1\]\.segment: "s" is the audited segment/],
    [{ id: 'x', segment: 's', groups: [{ id: 'a', segment: 'a' }, { id: 'b', segment: 'a' }] }, /^groups\[1\]\.segment: "a" is already the segment of group "a"/],
    [{ id: 'x', segment: 's', groups: [{ id: 'a', segment: 'a' }], purposes: ['m', 'n', 'm'] }, /^purposes\[2\]: duplicate purpose "m"$/],
  ])('rejects a bad definition %#', (o, msg) => {
    throws(() => defineAudit(o as never), 'invalid-options', msg);
  });

  it('rejects a hostile getter with the path', () => {
    const o = { id: 'x', segment: 's', groups: [{ id: 'a', segment: 'a' }] };
    Object.defineProperty(o.groups[0], 'segment', { enumerable: true, get: () => { throw new Error('boom'); } });
    throws(() => defineAudit(o), 'invalid-options', /^groups\[0\]\.segment: could not be read/);
  });

  it('a generated definition referring to an unknown segment is rejected by the client with the path', async () => {
    const bad = defineAudit({ id: 'y', segment: 'nope', groups: [{ id: 'a', segment: 'on-mobile' }] });
    await expect(createClient({ storage: 'memory', segments: [...base, ...bad.segments], cohorts: [bad.space] })).rejects.toThrow(/nope/);
  });
});

/** An estimate as the estimator returns it, built from counts and stderrs (for the pure math). */
const est = (n: number, rows: Array<[string, number, number]>) => ({
  space: 'audit-x',
  n,
  cohorts: rows.map(([id, e, s]) => ({ id, estimate: e, stderr: s, ci95: [e - 1.96 * s, e + 1.96 * s] as [number, number], suppressed: false })),
});

describe('readAudit', () => {
  it('no reports: rates not estimable, ratio NaN, not flagged', () => {
    const e = createEstimator({ spaces: [audit.space] });
    const r = readAudit(e.estimate('audit-subs'));
    expect(r.groups.map((g) => g.id)).toEqual(['mobile', 'returning']);
    expect(r.groups.every((g) => Number.isNaN(g.rate) && g.n === 0)).toBe(true);
    expect(r.flagged).toBe(false);
    expect(r.ratio).toBeNaN();
    expect(r.ci95).toEqual([0, Infinity]);
  });

  it('exact counts (stderr 0): the rates, their binomial stderr, the ratio', () => {
    const r = readAudit(est(1000, [['a-in', 250, 0], ['a-out', 250, 0], ['b-in', 80, 0], ['b-out', 320, 0], ['ungrouped', 100, 0]]));
    expect(r.groups[0]).toMatchObject({ id: 'a', n: 500, rate: 0.5 });
    expect(r.groups[0]!.stderr).toBeCloseTo(Math.sqrt(0.25 / 500), 10);
    expect(r.groups[1]).toMatchObject({ id: 'b', n: 400, rate: 0.2 });
    expect(r.ratio).toBeCloseTo(0.4, 12);
    expect(r.lowest).toBe('b');
    expect(r.highest).toBe('a');
    expect(r.ci95[0]).toBeLessThan(0.4);
    expect(r.ci95[1]).toBeGreaterThan(0.4);
    expect(r.flagged).toBe(true);
    expect(readAudit(est(1000, [['a-in', 250, 0], ['a-out', 250, 0], ['b-in', 80, 0], ['b-out', 320, 0], ['ungrouped', 100, 0]]), { threshold: 0.3 }).flagged).toBe(false);
  });

  it('noise widens the interval: the same rates with large stderrs are not flagged', () => {
    const r = readAudit(est(1000, [['a-in', 25, 30], ['a-out', 25, 30], ['b-in', 8, 30], ['b-out', 32, 30], ['ungrouped', 910, 30]]));
    expect(r.ratio).toBeCloseTo(0.4, 12);
    expect(r.ci95[1]).toBeGreaterThan(0.8);
    expect(r.flagged).toBe(false);
  });

  it('negative estimates are clamped; a group whose in+out ≤ 0 is not estimable and left out of the ratio', () => {
    const r = readAudit(est(300, [['a-in', -5, 10], ['a-out', -3, 10], ['b-in', 50, 10], ['b-out', 50, 10], ['c-in', 10, 10], ['c-out', 90, 10], ['ungrouped', 98, 10]]));
    expect(r.groups[0]!.rate).toBeNaN();
    expect(r.lowest).toBe('c');
    expect(r.highest).toBe('b');
  });

  it('withheld cohorts (null on the wire) make that group not estimable', () => {
    const e = est(1000, [['a-in', 250, 20], ['a-out', 250, 20], ['b-in', 8, 20], ['b-out', 320, 20], ['ungrouped', 172, 20]]);
    (e.cohorts[2] as Record<string, unknown>).estimate = null;
    (e.cohorts[2] as Record<string, unknown>).stderr = null;
    const r = readAudit(e);
    expect(r.groups[1]!.rate).toBeNaN();
    expect(r.groups[0]!.rate).toBeCloseTo(0.5, 12); // the other group is still read
    expect(r.flagged).toBe(false);
  });

  it.each([
    [null, /^estimate: expected an estimate/],
    [{ cohorts: 'x' }, /^estimate: expected an estimate/],
    [{ cohorts: [{ id: 'a-in', estimate: 1, stderr: 1 }] }, /^estimate.cohorts: expected an audit space/],
    [est(1, [['a-in', 1, 1], ['b-out', 1, 1], ['ungrouped', 1, 1]]), /^estimate.cohorts\[0\].id: expected "<group>-in" followed by "<group>-out"/],
    [est(1, [['a-in', NaN, 1], ['a-out', 1, 1], ['ungrouped', 1, 1]]), /^estimate.cohorts\[0\].estimate: expected a finite number or null/],
    [est(1, [['a-in', 1, -1], ['a-out', 1, 1], ['ungrouped', 1, 1]]), /^estimate.cohorts\[0\].stderr: expected a finite number ≥ 0/],
    [{ n: -1, cohorts: est(1, [['a-in', 1, 1], ['a-out', 1, 1], ['ungrouped', 1, 1]]).cohorts }, /^estimate.n: expected a finite number ≥ 0/],
    [{ cohorts: [1, 2, 3] }, /^estimate.cohorts\[0\]: expected an object/],
  ])('rejects a malformed estimate %#', (e, msg) => {
    throws(() => readAudit(e), 'invalid-argument', msg);
  });

  it.each([[{ threshold: 0 }], [{ threshold: 1.5 }], [{ threshold: '0.8' }], [{ threshold: NaN }], [{ other: 1 }], ['x']])('rejects bad options %#', (o) => {
    throws(() => readAudit(est(1, [['a-in', 1, 1], ['a-out', 1, 1], ['ungrouped', 1, 1]]), o as never), 'invalid-argument', /^options/);
  });

  it('property: never throws on a well-formed estimate; rates in [0,1]; ci95 ordered and containing the ratio', () => {
    const count = fc.tuple(fc.double({ min: -50, max: 5000, noNaN: true }), fc.double({ min: 0, max: 500, noNaN: true }));
    fc.assert(
      fc.property(fc.array(fc.tuple(count, count), { minLength: 1, maxLength: 6 }), count, (gs, u) => {
        const rows: Array<[string, number, number]> = gs.flatMap(([a, b], i) => [[`g${i}-in`, a[0], a[1]], [`g${i}-out`, b[0], b[1]]] as Array<[string, number, number]>);
        rows.push(['ungrouped', u[0], u[1]]);
        const r = readAudit(est(rows.reduce((s, x) => s + Math.max(0, x[1]), 0), rows));
        for (const g of r.groups) if (Number.isFinite(g.rate)) expect(g.rate >= 0 && g.rate <= 1 && g.ci95[0] <= g.rate && g.rate <= g.ci95[1]).toBe(true);
        expect(r.ci95[0]).toBeLessThanOrEqual(r.ci95[1]);
        if (Number.isFinite(r.ratio) && r.ci95[1] < Infinity) {
          expect(r.ratio).toBeGreaterThanOrEqual(r.ci95[0] - 1e-9);
          expect(r.ratio).toBeLessThanOrEqual(r.ci95[1] + 1e-9);
        }
        if (r.flagged) expect(r.ratio).toBeLessThan(0.8);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('fiellerRatio', () => {
  it('exact data gives the point; a denominator indistinguishable from 0 gives [0, Infinity]', () => {
    expect(fiellerRatio(0.2, 0, 0.5, 0)).toEqual([0.4, 0.4]);
    expect(fiellerRatio(0.2, 0.01, 0.05, 0.01)).toEqual([0, Infinity]);
  });
  it('agrees with the delta method when relative errors are small', () => {
    const [lo, hi] = fiellerRatio(0.2, 0.002 ** 2, 0.5, 0.002 ** 2);
    const sd = 0.4 * Math.sqrt((0.002 / 0.2) ** 2 + (0.002 / 0.5) ** 2);
    expect(lo).toBeCloseTo(0.4 - 1.96 * sd, 4);
    expect(hi).toBeCloseTo(0.4 + 1.96 * sd, 4);
  });
});
