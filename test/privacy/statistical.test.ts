import { describe, expect, it } from 'vitest';
import { createMechanism, randomId, type RandomSource } from '../../src/privacy/index';
import { addToRows, createEstimator, estimateFromRows, type StatsRow } from '../../src/server/index';
import type { LDPReport, MechanismName } from '../../src/types';
import { countsFor, makeSpace, seededRandom } from './helpers';

interface Case { mechanism: MechanismName; k: number; epsilon: number; weights: number[] }
const CASES: Case[] = [
  { mechanism: 'grr', k: 4, epsilon: 1, weights: [50, 30, 15, 5] },
  { mechanism: 'oue', k: 8, epsilon: 1, weights: [30, 20, 15, 10, 10, 8, 5, 2] },
  { mechanism: 'olh', k: 16, epsilon: 2, weights: [40, 20, 10, 5, 5, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 0] },
  { mechanism: 'olh', k: 6, epsilon: 0.5, weights: [1, 2, 3, 4, 5, 6] },
  { mechanism: 'ss', k: 8, epsilon: 1, weights: [30, 20, 15, 10, 10, 8, 5, 2] },
  { mechanism: 'ss', k: 32, epsilon: 2, weights: Array.from({ length: 32 }, (_, i) => 1 / (i + 1)) },
];

/** n reports with exactly counts[i] reporters in cohort i, perturbed with `rs`. */
function simulate(c: Case, counts: number[], rs: RandomSource, epoch = 1): LDPReport[] {
  const m = createMechanism({ k: c.k, epsilon: c.epsilon, mechanism: c.mechanism, random: rs });
  const out: LDPReport[] = [];
  counts.forEach((count, i) => {
    for (let j = 0; j < count; j++) {
      out.push({ v: 1, id: randomId(rs), space: 'space', spaceVersion: 1, epoch, k: c.k, mechanism: m.name, epsilon: c.epsilon, ...m.perturb(i) } as LDPReport);
    }
  });
  return out;
}

describe.each(CASES)('$mechanism k=$k ε=$epsilon', (c) => {
  const space = makeSpace(c.k);
  const mech = createMechanism({ k: c.k, epsilon: c.epsilon, mechanism: c.mechanism });

  it('estimates every cohort within 4 standard errors (n = 20,000, end to end through add())', () => {
    const counts = countsFor(20000, c.weights);
    const est = createEstimator({ spaces: [space] });
    for (const r of simulate(c, counts, seededRandom(c.k * 1000 + 1))) expect(est.add(r)).toEqual({ ok: true });
    const res = est.estimate('space');
    expect(res.n).toBe(20000);
    res.cohorts.forEach((co, i) => {
      expect(co.stderr).toBeCloseTo(Math.sqrt(mech.variance(20000, Math.max(0, co.estimate))), 9);
      expect(Math.abs(co.estimate - counts[i])).toBeLessThan(4 * co.stderr);
    });
  });

  it('empirical MSE is within 10% of variance() (3,000 trials of n = 100)', () => {
    const trials = 3000;
    const n = 100;
    const counts = countsFor(n, c.weights);
    const v = counts.map((nv) => mech.variance(n, nv));
    const vSum = v.reduce((s, x) => s + x, 0);
    const rs = seededRandom(c.k * 7 + 3);
    const perCohort = new Array(c.k).fill(0);
    const perCohortSq = new Array(c.k).fill(0);
    const pooled: number[] = [];
    for (let t = 0; t < trials; t++) {
      const rows = new Map<string, StatsRow>();
      for (const r of simulate(c, counts, rs)) addToRows(rows, r);
      const res = estimateFromRows(rows.values(), space);
      let x = 0;
      res.cohorts.forEach((co, i) => {
        const e2 = (co.estimate - counts[i]) ** 2;
        perCohort[i] += e2;
        perCohortSq[i] += e2 * e2;
        x += e2;
      });
      pooled.push(x / vSum);
    }
    // Pooled ratio Σ_i MSE_i / Σ_i V_i, with its sampling error estimated from the trials.
    const ratio = pooled.reduce((s, x) => s + x, 0) / trials;
    const sd = Math.sqrt(pooled.reduce((s, x) => s + (x - ratio) ** 2, 0) / (trials - 1));
    const se = sd / Math.sqrt(trials);
    expect(4 * se).toBeLessThan(0.1); // the design can resolve a 10% error at 4 standard errors
    expect(Math.abs(ratio - 1)).toBeLessThan(0.1);
    // Each cohort on its own: within 4 of its own standard errors.
    for (let i = 0; i < c.k; i++) {
      const mse = perCohort[i] / trials;
      const seI = Math.sqrt(Math.max(0, perCohortSq[i] / trials - mse * mse) / trials);
      expect(Math.abs(mse - v[i])).toBeLessThan(4 * seI + 1e-9);
    }
  });
});

describe('GRR privacy: likelihood ratios', () => {
  it('P[out=j | in=a] / P[out=j | in=b] ≤ e^ε for all j (within sampling error), equal to theory', () => {
    const k = 4;
    const epsilon = 1;
    const draws = 60000;
    const m = createMechanism({ k, epsilon, mechanism: 'grr', random: seededRandom(99) });
    const freq = (input: number): number[] => {
      const c = new Array(k).fill(0);
      for (let i = 0; i < draws; i++) c[(m.perturb(input) as { value: number }).value]++;
      return c.map((x) => x / draws);
    };
    const pa = freq(0);
    const pb = freq(1);
    for (let j = 0; j < k; j++) {
      const logRatio = Math.log(pa[j] / pb[j]);
      // delta method: Var(log p̂) ≈ (1 − p)/(N p)
      const se = Math.sqrt((1 - pa[j]) / (draws * pa[j]) + (1 - pb[j]) / (draws * pb[j]));
      const theory = j === 0 ? epsilon : j === 1 ? -epsilon : 0;
      expect(logRatio).toBeLessThanOrEqual(epsilon + 4 * se);
      expect(Math.abs(logRatio - theory)).toBeLessThan(4 * se);
    }
  });
});

describe('SS privacy: likelihood ratios of whole subsets', () => {
  it('P[S | in=a] / P[S | in=b] is e^ε, 1 or e^−ε (within sampling error)', () => {
    const k = 8;
    const epsilon = 1;
    const draws = 60000;
    const m = createMechanism({ k, epsilon, mechanism: 'ss', random: seededRandom(98) });
    expect(m.d).toBe(2);
    const freq = (input: number): Map<string, number> => {
      const c = new Map<string, number>();
      for (let i = 0; i < draws; i++) {
        const s = (m.perturb(input) as { items: string }).items;
        c.set(s, (c.get(s) ?? 0) + 1);
      }
      return c;
    };
    const pa = freq(0);
    const pb = freq(1);
    expect(pa.size).toBe(28); // every 2-subset of 8 cohorts occurs
    for (const [s, ca] of pa) {
      const cb = pb.get(s)!;
      const bits = Buffer.from(s, 'base64url')[0];
      const theory = (bits & 1 ? epsilon : 0) - (bits & 2 ? epsilon : 0);
      const se = Math.sqrt(1 / ca + 1 / cb);
      expect(Math.log(ca / cb)).toBeLessThanOrEqual(epsilon + 4 * se);
      expect(Math.abs(Math.log(ca / cb) - theory)).toBeLessThan(4 * se);
    }
  });
});
