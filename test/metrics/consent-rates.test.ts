import { describe, expect, it } from 'vitest';
import { consentSpace as fromMain } from '../../src/index';
import { consentIndex } from '../../src/metrics';
import { consentSpace, createEstimator, readConsentRates } from '../../src/server';
import { isCohortkitError } from '../../src/errors';

const P = ['personalization', 'measurement'];
const expectError = (f: () => unknown, code: string, msg: RegExp) => {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(isCohortkitError(err), String(err)).toBe(true);
  expect(err).toMatchObject({ code });
  expect((err as Error).message).toMatch(msg);
};

describe('consentSpace', () => {
  it('id consent, version 1, k = 3^P, cohorts in index order Σ sᵢ·3ⁱ, the last combination the fallback', () => {
    const s = consentSpace(P);
    expect(fromMain).toBe(consentSpace);
    expect(s).toMatchObject({ id: 'consent', version: 1 });
    const ids = [...s.cohorts.map((c) => c.id), s.fallback];
    expect(ids).toEqual([
      'personalization:unset|measurement:unset',
      'personalization:granted|measurement:unset',
      'personalization:denied|measurement:unset',
      'personalization:unset|measurement:granted',
      'personalization:granted|measurement:granted',
      'personalization:denied|measurement:granted',
      'personalization:unset|measurement:denied',
      'personalization:granted|measurement:denied',
      'personalization:denied|measurement:denied',
    ]);
    for (const [i, id] of ids.entries()) {
      const state = Object.fromEntries(id.split('|').map((x) => x.split(':') as [string, 'granted']));
      expect(consentIndex(P, state)).toBe(i);
    }
    expect(consentSpace(['a', 'b', 'c', 'd', 'e', 'f']).cohorts).toHaveLength(3 ** 6 - 1);
  });

  it('the estimator and collector accept it (cohort ids with : and |)', () => {
    const e = createEstimator({ spaces: [consentSpace(P)] });
    expect(e.estimate('consent').cohorts).toHaveLength(9);
  });

  it.each([
    [[], /^purposes: expected a non-empty array/],
    ['personalization', /^purposes: expected a non-empty array/],
    [['ok', 'Bad!'], /^purposes\[1\]: expected an id/],
    [['a', 'a'], /^purposes\[1\]: duplicate purpose "a"/],
    [['a', 'b', 'c', 'd', 'e', 'f', 'g'], /^purposes: expected at most 6/],
    [[1], /^purposes\[0\]: expected an id/],
  ])('rejects %j', (p, msg) => expectError(() => consentSpace(p as never), 'invalid-argument', msg));
});

const est = (rows: Array<[number, number]>) => ({
  n: rows.reduce((s, r) => s + Math.max(0, r[0]), 0),
  cohorts: consentSpace(P).cohorts.map((c) => c.id).concat('personalization:denied|measurement:denied').map((id, i) => ({ id, estimate: rows[i]![0], stderr: rows[i]![1] })),
});

describe('readConsentRates', () => {
  it('exact counts: the shares per purpose and state, binomial stderr', () => {
    // index = p + 3·m; counts chosen so that personalization is 50/30/20 and measurement 60/30/10
    const rows: Array<[number, number]> = new Array(9).fill(0).map(() => [0, 0]);
    const add = (p: number, m: number, c: number) => (rows[p + 3 * m]![0] += c);
    add(1, 1, 300); add(1, 2, 200); add(2, 1, 300); add(0, 0, 100); add(0, 2, 100);
    const r = readConsentRates(est(rows), P);
    expect(r.personalization!.granted.rate).toBeCloseTo(0.5, 12);
    expect(r.personalization!.denied.rate).toBeCloseTo(0.3, 12);
    expect(r.personalization!.unset.rate).toBeCloseTo(0.2, 12);
    expect(r.measurement!.granted.rate).toBeCloseTo(0.6, 12);
    expect(r.measurement!.denied.rate).toBeCloseTo(0.3, 12);
    expect(r.measurement!.unset.rate).toBeCloseTo(0.1, 12);
    expect(r.measurement!.granted.stderr).toBeCloseTo(Math.sqrt(0.24 / 1000), 10);
    const g = r.personalization!.granted;
    expect(g.ci95[0]).toBeLessThan(0.5);
    expect(g.ci95[1]).toBeGreaterThan(0.5);
  });

  it('no reports: NaN rates with [0, 1] intervals', () => {
    const r = readConsentRates(createEstimator({ spaces: [consentSpace(P)] }).estimate('consent'), P);
    expect(r.personalization!.granted.rate).toBeNaN();
    expect(r.personalization!.granted.ci95).toEqual([0, 1]);
  });

  it('rejects a wrong cohort count, withheld cohorts and garbage, naming the path', () => {
    expectError(() => readConsentRates(est(new Array(9).fill([1, 1])), ['personalization']), 'invalid-argument', /^estimate.cohorts: expected 3 cohorts/);
    const w = est(new Array(9).fill([1, 1]));
    (w.cohorts[4] as Record<string, unknown>).estimate = null;
    expectError(() => readConsentRates(w, P), 'invalid-argument', /^estimate.cohorts\[4\].estimate: withheld/);
    expectError(() => readConsentRates('x', P), 'invalid-argument', /^estimate: expected an estimate/);
    expectError(() => readConsentRates(est(new Array(9).fill([Infinity, 1])), P), 'invalid-argument', /^estimate.cohorts\[0\].estimate/);
    expectError(() => readConsentRates(est(new Array(9).fill([1, 1])), [] as never), 'invalid-argument', /^purposes/);
  });

  it('rejects an estimate of other purposes or another order, naming the first cohort id that differs', () => {
    // Before, the count alone was checked: [measurement, personalization] read personalization's shares as measurement's.
    const rows = new Array(9).fill(0).map((_, i) => [i === 1 ? 100 : 0, 1] as [number, number]);
    expect(readConsentRates(est(rows), P).personalization!.granted.rate).toBe(1);
    expectError(() => readConsentRates(est(rows), ['measurement', 'personalization']), 'invalid-argument', /^estimate.cohorts\[0\].id: expected "measurement:unset\|personalization:unset" \(the consent space of measurement, personalization, in that order\), got "personalization:unset\|measurement:unset"$/);
    expectError(() => readConsentRates(est(rows), ['personalization', 'ads']), 'invalid-argument', /^estimate.cohorts\[0\].id: expected "personalization:unset\|ads:unset"/);
  });
});
