// Shares near 0 or 1 are not biased by clamping. readCounts clamps each cohort's estimate at 0
// (a count is ≥ 0), and the shares were sums of those clamped counts: with a purpose granted by
// nearly everyone, the other cohorts' noise was clipped from below only, so every denominator
// grew and the granted share read low (0.853 for 0.9). Shares now sum the estimates as they are
// (each unbiased), so the share is unbiased (it may fall just outside [0, 1]). Drawn as the client draws its reports
// (drawReports: createMechanism 'auto', as sim-consent.test.ts checks against real clients).
import { describe, expect, it } from 'vitest';
import { consentIndex } from '../../src/metrics';
import { consentSpace, createEstimator, readConsentRates } from '../../src/server';
import type { ConsentValue } from '../../src/types';
import { seededRandom } from '../privacy/helpers';
import { drawReports, consentPopulation } from './sim-helpers';

const P = ['personalization', 'measurement'];
const SHARES: Record<string, Record<ConsentValue, number>> = {
  personalization: { granted: 0.9, denied: 0.06, unset: 0.04 },
  measurement: { granted: 0.05, denied: 0.9, unset: 0.05 },
};

const population = (n: number, seed: number) => consentPopulation(n, seed, SHARES);

describe('consent rates near 0 and 1', () => {
  it('the mean share over 200 seeds is within 3 standard errors of the truth', () => {
    const SEEDS = 200;
    const sums: Record<string, number[]> = {};
    for (let s = 0; s < SEEDS; s++) {
      const est = createEstimator({ spaces: [consentSpace(P)] });
      const pop = population(2000, 5000 + s);
      for (const r of drawReports('consent', 9, 1, pop.map((v) => consentIndex(P, v)), seededRandom(7000 + s))) est.add(r);
      const rates = readConsentRates(est.estimate('consent'), P);
      for (const p of P) for (const st of ['granted', 'denied', 'unset'] as const) (sums[`${p}.${st}`] ??= []).push(rates[p]![st].rate);
    }
    const report: Record<string, string> = {};
    for (const [k, v] of Object.entries(sums)) {
      const [p, st] = k.split('.') as [string, ConsentValue];
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
      const z = (mean - SHARES[p]![st]) / (sd / Math.sqrt(v.length));
      report[k] = `${mean.toFixed(4)} (true ${SHARES[p]![st]}, z ${z.toFixed(1)})`;
    }
    console.log('consent rates near 0 and 1', JSON.stringify(report));
    for (const [k, v] of Object.entries(sums)) {
      const [p, st] = k.split('.') as [string, ConsentValue];
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
      expect(Math.abs(mean - SHARES[p]![st]), `${k}: ${report[k]}`).toBeLessThan(3 * (sd / Math.sqrt(v.length)));
    }
  }, 60_000);
});
