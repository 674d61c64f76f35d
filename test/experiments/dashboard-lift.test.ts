// @vitest-environment node
// The dashboard's plain-JS lift view (examples/collector/lift.js) must say what the library says.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epsilonOf, lift, plan } from '../../examples/collector/lift.js';
import { planExperiment, readLift } from '../../src/server';
import { createMechanism } from '../../src/privacy';
import { simulateEstimate } from './direct';

describe('dashboard lift view = readLift / planExperiment', () => {
  it('same lift, interval and summary on simulated GRR and OUE estimates', () => {
    for (const [mechanism, seed] of [['grr', 1], ['grr', 2], ['oue', 3], ['olh', 4]] as const) {
      const est = simulateEstimate({ eligible: 0.4, holdout: 0.5, holdoutRate: 0.2, treatedRate: 0.26, epsilon: 2, mechanism }, 4000, seed);
      const a = readLift(est);
      const b = lift(est);
      if (b.withheld) throw new Error('withheld');
      expect(b.lift).toBeCloseTo(a.lift, 12);
      expect(b.stderr).toBeCloseTo(a.stderr, 12);
      expect(b.summary).toBe(a.summary);
      for (const arm of ['holdout', 'treated'] as const) for (const f of ['rate', 'stderr', 'n'] as const) expect(b[arm][f]).toBeCloseTo(a[arm][f], 9);
      expect(b.significant).toBe(a.significant);
    }
  });

  it('an empty arm and withheld cohorts', () => {
    const est = simulateEstimate({ eligible: 0.4, holdout: 0.5, holdoutRate: 0.2, treatedRate: 0.26, epsilon: 2 }, 500, 9);
    const empty = { ...est, cohorts: est.cohorts.map((c, i) => (i < 2 ? { ...c, estimate: -1 } : c)) };
    expect((lift(empty) as { summary: string }).summary).toBe(readLift(empty).summary);
    expect(lift({ ...est, cohorts: est.cohorts.map((c, i) => (i === 1 ? { ...c, estimate: null, stderr: null } : c)) })).toEqual({ withheld: true });
  });

  it('same plan (auto: GRR or subset selection; α 0.05, power 0.8) for any baseline, lift, ε and eligible share', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 0.6, noNaN: true }),
        fc.double({ min: 0.005, max: 0.3, noNaN: true }),
        fc.double({ min: 0.1, max: 8, noNaN: true }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        (baseline, d, epsilon, share) => {
          const a = planExperiment({ baseline, lift: d, epsilon, eligibleShare: share });
          const b = plan({ baseline, lift: d, share, epsilon }, createMechanism({ k: 5, epsilon }), (e: number) => createMechanism({ k: 5, epsilon: e }));
          expect(Math.abs(b.visitors - a.visitors)).toBeLessThanOrEqual(Math.max(1, a.visitors * 1e-6));
          expect(Math.abs(b.withoutPrivacy - a.withoutPrivacy)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
    // Just below auto's step from subset selection to GRR (ε ≈ 0.693): both take the envelope.
    for (const epsilon of [0.6, 0.65, 0.69]) {
      const a = planExperiment({ baseline: 0.3, lift: 0.02, epsilon });
      expect(plan({ baseline: 0.3, lift: 0.02, epsilon }, createMechanism({ k: 5, epsilon }), (e: number) => createMechanism({ k: 5, epsilon: e })).visitors).toBe(a.visitors);
      expect(a.visitors).toBeGreaterThanOrEqual(planExperiment({ baseline: 0.3, lift: 0.02, epsilon: 0.7 }).visitors);
    }
  });

  it('reads ε back from the stderrs (GRR, and subset selection at small ε)', () => {
    for (const epsilon of [0.3, 0.5, 1, 2, 4]) {
      const est = simulateEstimate({ eligible: 0.4, holdout: 0.5, holdoutRate: 0.2, treatedRate: 0.26, epsilon }, 3000, 5);
      expect(epsilonOf(est, (e) => createMechanism({ k: 5, epsilon: e }))).toBeCloseTo(epsilon, 6);
    }
  });

  it('a withheld unexposed cohort is filled in for the arithmetic: same lift as with it', () => {
    const est = simulateEstimate({ eligible: 0.9, holdout: 0.5, holdoutRate: 0.2, treatedRate: 0.26, epsilon: 1 }, 4000, 6);
    const full = lift(est);
    const wire = lift({ ...est, cohorts: est.cohorts.map((c) => (c.id === 'unexposed' ? { ...c, estimate: null, stderr: null } : c)) });
    if (full.withheld || wire.withheld) throw new Error('withheld');
    expect(wire.stderr).toBeCloseTo(full.stderr, 9);
    expect(wire.summary).toBe(full.summary);
  });
});
