// planExperiment where the client's configuration steps with ε: OLH's hash range g = round(e^ε + 1),
// and 'auto' going from subset selection (d = 2) to GRR at ε ≈ 0.693. The variance at ε is then a
// saw-tooth (a little higher just past each step: ε 3.70 → 754,811 visitors, 3.75 → 755,490 before).
// The plan takes the upper envelope (the largest variance at any ε' ≥ ε): never fewer visitors than
// the exact variance at ε needs, and non-increasing in ε.
import { describe, expect, it } from 'vitest';
import { experimentVariance, planExperiment, normalQuantile, type PlanOptions } from '../../src/personalization';

const exact = (o: PlanOptions): number => {
  const z = (normalQuantile(1 - 0.05 / 2) + normalQuantile(0.8)) ** 2 / (o.lift * o.lift);
  return Math.ceil(z * experimentVariance(o).privacy);
};

describe('planExperiment: visitors fall as ε grows, for every mechanism', () => {
  it('the audit case: OLH, baseline 0.5, lift 0.005, holdout 0.5 at ε 3.70 and 3.75', () => {
    const a = planExperiment({ baseline: 0.5, lift: 0.005, epsilon: 3.7, mechanism: 'olh' });
    const b = planExperiment({ baseline: 0.5, lift: 0.005, epsilon: 3.75, mechanism: 'olh' });
    expect(b.visitors).toBeLessThanOrEqual(a.visitors);
    expect(b.visitors).toBeGreaterThanOrEqual(exact({ baseline: 0.5, lift: 0.005, epsilon: 3.75, mechanism: 'olh' }));
  });

  it('on a grid (ε 0.1 to 10 by 0.01; baselines, lifts, holdouts): non-increasing, ≥ the exact plan at ε, ≥ withoutPrivacy', () => {
    const bad: unknown[] = [];
    let above = 0;
    for (const mechanism of ['olh', 'auto', 'grr', 'oue'] as const)
      for (const baseline of [0.01, 0.1, 0.5, 0.9])
        for (const lift of [0.005, -0.01, 0.05])
          for (const holdout of [0.05, 0.5, 0.9]) {
            if (baseline + lift <= 0 || baseline + lift >= 1) continue;
            let prev = Infinity;
            for (let i = 10; i <= 1000; i++) {
              const o = { baseline, lift, epsilon: i / 100, holdout, mechanism };
              const p = planExperiment(o);
              const x = exact(o);
              if (p.visitors > prev || p.visitors < x || p.visitors < p.withoutPrivacy) bad.push({ ...o, visitors: p.visitors, prev, exact: x });
              if (p.visitors > x) above++;
              prev = p.visitors;
            }
          }
    expect(bad.slice(0, 5)).toEqual([]);
    // Only just below a step of the configuration (OLH's g; auto's d = 2 → GRR) does it exceed the exact plan.
    expect(above).toBeGreaterThan(0);
  });

  it('what the envelope costs over the exact variance at ε: OLH ≤ 4% (the g = 2 → 3 step), auto ≤ 12% (just below ε ≈ 0.693)', () => {
    const worst = { olh: 1, auto: 1 };
    for (const mechanism of ['olh', 'auto'] as const)
      for (let i = 10; i <= 1000; i++) {
        const o = { baseline: 0.3, lift: 0.02, epsilon: i / 100, mechanism };
        worst[mechanism] = Math.max(worst[mechanism], planExperiment(o).visitors / exact(o));
      }
    console.log('largest envelope / exact:', worst);
    expect(worst.olh).toBeLessThan(1.04);
    expect(worst.auto).toBeLessThan(1.12);
    // far from a step it is the exact plan
    expect(planExperiment({ baseline: 0.3, lift: 0.02, epsilon: 2 }).visitors).toBe(exact({ baseline: 0.3, lift: 0.02, epsilon: 2 }));
  });
});
