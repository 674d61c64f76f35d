// @vitest-environment node
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planExperiment, readLift, type PlanOptions } from '../../src/server';
import { normalCdf, normalQuantile } from '../../src/personalization';
import { simulateEstimate } from './direct';

const base = { baseline: 0.3, lift: 0.1, epsilon: 1 };

describe('planExperiment', () => {
  it('normal quantiles and CDF are accurate', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    for (const p of [0.01, 0.2, 0.5, 0.7, 0.99]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
  });

  it('withoutPrivacy is the textbook two-proportion sample size', () => {
    // 10% → 12%, α 0.05, power 0.8, equal arms: 3,839 per arm
    const p = planExperiment({ baseline: 0.1, lift: 0.02, epsilon: 1 });
    expect(p.withoutPrivacy).toBe(7677);
    expect(p.perArm.holdout + p.perArm.treated).toBe(p.visitors);
    expect(p.mechanism).toBe('grr');
    expect(p.reporters).toBe(p.visitors);
  });

  it('what the noise costs: at ε = 1, +2 pp over 5% needs ≈ 76× the visitors', () => {
    const p = planExperiment({ baseline: 0.05, lift: 0.02, epsilon: 1 });
    expect(p.visitors / p.withoutPrivacy).toBeGreaterThan(50);
    const loose = planExperiment({ baseline: 0.05, lift: 0.02, epsilon: 4 });
    expect(loose.visitors).toBeLessThan(p.visitors / 10);
  });

  const opts = fc.record({
    baseline: fc.double({ min: 0.01, max: 0.6, noNaN: true }),
    lift: fc.double({ min: 0.005, max: 0.3, noNaN: true }),
    epsilon: fc.double({ min: 0.1, max: 8, noNaN: true }),
    holdout: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
    power: fc.double({ min: 0.5, max: 0.99, noNaN: true }),
    eligibleShare: fc.double({ min: 0.05, max: 1, noNaN: true }),
    mechanism: fc.constantFrom('auto', 'grr', 'oue', 'olh' as const),
  });
  const grow = fc.double({ min: 1.01, max: 3, noNaN: true });

  it('visitors ≥ withoutPrivacy; monotone: fewer with more ε or a larger lift, more with more power', () => {
    fc.assert(
      fc.property(opts, grow, (o, f) => {
        const p = planExperiment(o);
        expect(p.visitors).toBeGreaterThanOrEqual(p.withoutPrivacy);
        expect(planExperiment({ ...o, epsilon: o.epsilon * f }).visitors).toBeLessThanOrEqual(p.visitors);
        if (o.baseline + o.lift * f <= 1) expect(planExperiment({ ...o, lift: o.lift * f }).visitors).toBeLessThanOrEqual(p.visitors);
        const more = Math.min(0.999, o.power + (1 - o.power) * (1 - 1 / f));
        expect(planExperiment({ ...o, power: more }).visitors).toBeGreaterThanOrEqual(p.visitors);
        expect(planExperiment({ ...o, eligibleShare: o.eligibleShare / f }).visitors).toBeGreaterThanOrEqual(p.visitors);
      }),
      { numRuns: 300 },
    );
  });

  it('a negative lift plans like a positive one of the same size on the mirrored rates', () => {
    const up = planExperiment({ baseline: 0.3, lift: 0.05, epsilon: 2 });
    const down = planExperiment({ baseline: 0.35, lift: -0.05, epsilon: 2, holdout: 0.5 });
    expect(Math.abs(up.visitors - down.visitors)).toBeLessThanOrEqual(1);
  });

  it('rejects absurd input with an error naming the option', () => {
    const bad: Array<[unknown, RegExp]> = [
      [null, /^options/],
      [[], /^options/],
      [{ ...base, baseline: 0 }, /^baseline/],
      [{ ...base, baseline: 1 }, /^baseline/],
      [{ ...base, baseline: NaN }, /^baseline/],
      [{ ...base, baseline: '0.3' }, /^baseline/],
      [{ ...base, lift: 0 }, /^lift/],
      [{ ...base, lift: Infinity }, /^lift/],
      [{ ...base, baseline: 0.95, lift: 0.1 }, /^lift: expected baseline \+ lift in \[0, 1\]/],
      [{ ...base, baseline: 0.05, lift: -0.1 }, /^lift/],
      [{ ...base, epsilon: 0 }, /^epsilon/],
      [{ ...base, epsilon: -1 }, /^epsilon/],
      [{ ...base, epsilon: Infinity }, /^epsilon/],
      [{ ...base, holdout: 0 }, /^holdout/],
      [{ ...base, holdout: 1 }, /^holdout/],
      [{ ...base, alpha: 0 }, /^alpha/],
      [{ ...base, alpha: 1.5 }, /^alpha/],
      [{ ...base, power: 1 }, /^power/],
      [{ ...base, power: 0.01 }, /^power/],
      [{ ...base, eligibleShare: 0 }, /^eligibleShare/],
      [{ ...base, eligibleShare: 1.1 }, /^eligibleShare/],
      [{ ...base, mechanism: 'rappor' }, /^mechanism/],
      [{ ...base, epslion: 2 }, /^options\.epslion/],
      [{ lift: 0.1, epsilon: 1 }, /^baseline/],
    ];
    for (const [o, msg] of bad) expect(() => planExperiment(o as never), JSON.stringify(o)).toThrow(expect.objectContaining({ code: 'invalid-argument', message: expect.stringMatching(msg) }));
  });

  // Simulated power at the planned size (mechanism + estimator directly, seeded): the share of
  // runs whose 95% interval excludes 0 is the requested power ± 10 points.
  it.each<[PlanOptions & { mechanism?: 'grr' | 'oue' | 'olh' }]>([
    [{ baseline: 0.3, lift: 0.1, epsilon: 2, eligibleShare: 0.5 }],
    [{ baseline: 0.1, lift: 0.08, epsilon: 3, holdout: 0.3, power: 0.9, eligibleShare: 0.8 }],
    [{ baseline: 0.4, lift: 0.15, epsilon: 1, mechanism: 'oue' }],
  ])('simulated power at the planned n is within ±10 points: %o', (o) => {
    const plan = planExperiment(o);
    const reps = 250;
    let hits = 0;
    for (let r = 0; r < reps; r++) {
      const est = simulateEstimate(
        { eligible: o.eligibleShare ?? 1, holdout: o.holdout ?? 0.5, holdoutRate: o.baseline, treatedRate: o.baseline + o.lift, epsilon: o.epsilon, mechanism: o.mechanism },
        plan.reporters,
        20_000 + r,
      );
      if (readLift(est).significant) hits++;
    }
    console.log(`power ${hits / reps} (requested ${o.power ?? 0.8}) at ${plan.visitors} eligible / ${plan.reporters} reporters (withoutPrivacy ${plan.withoutPrivacy})`);
    expect(Math.abs(hits / reps - (o.power ?? 0.8))).toBeLessThanOrEqual(0.1);
  });
});
