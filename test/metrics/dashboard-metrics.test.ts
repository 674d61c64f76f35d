// @vitest-environment node
// The dashboard's plain-JS views (examples/collector/metrics.js) must say what the library says.
import { describe, expect, it } from 'vitest';
import { audit, consentRates } from '../../examples/collector/metrics.js';
import { consentSpace, createEstimator, readAudit, readConsentRates } from '../../src/server';
import { consentIndex } from '../../src/metrics';
import { seededRandom } from '../privacy/helpers';
import { audit as space, auditIndex, auditPopulation, drawReports } from './sim-helpers';

const close = (a: number, b: number) => (Number.isNaN(a) ? expect(b).toBeNaN() : expect(b).toBeCloseTo(a, 10));

describe('dashboard metrics = readAudit / readConsentRates', () => {
  it('audits: same rates, stderrs, ratio, interval and flag (GRR and OLH, flagged and not)', () => {
    const flags = new Set<boolean>();
    for (const [rates, eps, n, seed] of [[{ a: 0.5, b: 0.2 }, 1, 3000, 1], [{ a: 0.3, b: 0.32 }, 1, 3000, 2], [{ a: 0.5, b: 0.2 }, 0.3, 800, 3]] as const) {
      for (const mech of ['auto', 'olh'] as const) {
        const est = createEstimator({ spaces: [space.space] });
        const idx = auditPopulation(n, rates, seed).map(auditIndex);
        const reports = drawReports('audit-subs', 5, eps, idx, seededRandom(seed + 9), mech);
        for (const r of reports) est.add(r);
        const e = est.estimate('audit-subs');
        const want = readAudit(e);
        const got = audit(e);
        expect(got.flagged).toBe(want.flagged);
        flags.add(want.flagged);
        expect([got.lowest, got.highest]).toEqual([want.lowest, want.highest]);
        close(want.ratio, got.ratio);
        close(want.ci95[0], got.ci95[0]);
        if (Number.isFinite(want.ci95[1])) close(want.ci95[1], got.ci95[1]);
        else expect(got.ci95[1]).toBe(Infinity);
        want.groups.forEach((g, i) => {
          for (const f of ['rate', 'stderr', 'n'] as const) close(g[f], got.groups[i]![f]);
          close(g.ci95[0], got.groups[i]!.ci95[0]);
          close(g.ci95[1], got.groups[i]!.ci95[1]);
        });
      }
    }
    expect([...flags].sort()).toEqual([false, true]);
  });

  it('consent rates: same shares and intervals; withheld cohorts say so', () => {
    const P = ['personalization', 'measurement'];
    const est = createEstimator({ spaces: [consentSpace(P)] });
    const u = seededRandom(5);
    const idx = Array.from({ length: 2000 }, () => {
      const b = new Uint8Array(2);
      u(b);
      const pick = (x: number) => (['granted', 'denied', 'unset'] as const)[x % 3]!;
      return consentIndex(P, { personalization: pick(b[0]!), measurement: pick(b[1]!) });
    });
    for (const r of drawReports('consent', 9, 1, idx, seededRandom(6))) est.add(r);
    const e = est.estimate('consent');
    const want = readConsentRates(e, P);
    const got = consentRates(e);
    if (got.withheld) throw new Error('withheld');
    expect(got.purposes).toEqual(P);
    for (const p of P)
      for (const s of ['granted', 'denied', 'unset'] as const) {
        close(want[p]![s].rate, got.rates[p]![s].rate);
        close(want[p]![s].stderr, got.rates[p]![s].stderr);
        close(want[p]![s].ci95[0], got.rates[p]![s].ci95[0]);
        close(want[p]![s].ci95[1], got.rates[p]![s].ci95[1]);
      }
    const withheld = { ...e, cohorts: e.cohorts.map((c, i) => (i === 3 ? { ...c, estimate: null, stderr: null } : c)) };
    expect(consentRates(withheld).withheld).toBe(true);
    expect(audit({ n: 10, cohorts: [{ id: 'a-in', estimate: null, stderr: null }, { id: 'a-out', estimate: 5, stderr: 1 }, { id: 'ungrouped', estimate: 5, stderr: 1 }] })).toMatchObject({ flagged: false, withheld: true });
  });

  it('an audit whose ungrouped cohort is withheld on the wire is still read, the same by both', () => {
    const est = createEstimator({ spaces: [space.space] });
    const idx = auditPopulation(3000, { a: 0.5, b: 0.2 }, 4).map(auditIndex);
    for (const r of drawReports('audit-subs', 5, 1, idx, seededRandom(44))) est.add(r);
    const e = est.estimate('audit-subs');
    const wire = { ...e, cohorts: e.cohorts.map((c) => (c.id === 'ungrouped' ? { ...c, estimate: null, stderr: null, ci95: null } : c)) };
    const want = readAudit(wire);
    const got = audit(wire);
    expect(want.groups.every((g) => Number.isFinite(g.rate))).toBe(true);
    expect(got.flagged).toBe(want.flagged);
    close(want.ratio, got.ratio);
    close(want.ci95[1], got.ci95[1]);
    want.groups.forEach((g, i) => close(g.stderr, got.groups[i]!.stderr));
    // without GRR's noise covariance the interval differs only a little from the full one
    const full = readAudit(e);
    expect(Math.abs(want.groups[0]!.stderr / full.groups[0]!.stderr - 1)).toBeLessThan(0.15);
  });
});

