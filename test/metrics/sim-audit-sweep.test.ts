// Seed sweeps for readAudit. Real clients are too slow for hundreds of seeds (~6 ms a visitor),
// so each seed draws its reports with the mechanism directly — the same createMechanism 'auto'
// draw the client makes for this space (k = 5, ε = 1: GRR) — into the real estimator. The
// real-client run of the same population model is sim-audit.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { createEstimator, readAudit } from '../../src/server';
import { seededRandom } from '../privacy/helpers';
import { audit, auditIndex, auditPopulation, drawReports } from './sim-helpers';

const EPSILON = 1;
const N = 4000;
const SEEDS = 150;
// Coverage thresholds: with 150 seeds a true 95 % coverage falls below 0.88 with probability < 0.1 %.
const figures: Record<string, unknown> = { n: N, seeds: SEEDS, epsilon: EPSILON };
afterAll(() => console.log('audit sweep figures', JSON.stringify(figures)));

function sweep(rates: { a: number; b: number }, seed0: number) {
  let flagged = 0;
  let ratioCovered = 0;
  const rateCovered = { a: 0, b: 0 };
  const truth = Math.min(rates.a, rates.b) / Math.max(rates.a, rates.b);
  for (let s = 0; s < SEEDS; s++) {
    const est = createEstimator({ spaces: [audit.space] });
    const pop = auditPopulation(N, rates, seed0 + s);
    for (const r of drawReports('audit-subs', 5, EPSILON, pop.map(auditIndex), seededRandom(seed0 + 50_000 + s))) est.add(r);
    const res = readAudit(est.estimate('audit-subs'));
    if (res.flagged) flagged++;
    if (res.ci95[0] <= truth && truth <= res.ci95[1]) ratioCovered++;
    for (const g of res.groups) {
      const t = rates[g.id as 'a'];
      if (g.ci95[0] <= t && t <= g.ci95[1]) rateCovered[g.id as 'a']++;
    }
  }
  return { flagRate: flagged / SEEDS, ratioCoverage: ratioCovered / SEEDS, rateCoverage: { a: rateCovered.a / SEEDS, b: rateCovered.b / SEEDS } };
}

describe(`fairness audit: seed sweeps (${SEEDS} seeds × ${N} visitors, ε = ${EPSILON})`, () => {
  it('equal rates (35 % and 35 %) are not flagged in ≥ 95 % of seeds; rate intervals cover the truth ~95 %', () => {
    const r = sweep({ a: 0.35, b: 0.35 }, 1000);
    figures.equal = r;
    expect(1 - r.flagRate).toBeGreaterThanOrEqual(0.95);
    expect(r.rateCoverage.a).toBeGreaterThanOrEqual(0.88);
    expect(r.rateCoverage.b).toBeGreaterThanOrEqual(0.88);
  }, 60_000);

  it('50 % vs 20 %: flagged in most seeds; the ratio interval covers 0.4 ~95 % of the time', () => {
    const r = sweep({ a: 0.5, b: 0.2 }, 2000);
    figures.disparity = r;
    expect(r.flagRate).toBeGreaterThan(0.85);
    expect(r.ratioCoverage).toBeGreaterThanOrEqual(0.88);
    expect(r.rateCoverage.a).toBeGreaterThanOrEqual(0.88);
    expect(r.rateCoverage.b).toBeGreaterThanOrEqual(0.88);
  }, 60_000);
});
