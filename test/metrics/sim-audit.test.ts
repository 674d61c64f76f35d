// Evidence for readAudit through the real path: one memory client per visitor (real consent,
// track, flush; reports captured from a stubbed fetch) into the real estimator. One seeded
// population (4,000 visitors take ~25 s); the seed sweeps are in sim-audit-sweep.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/index';
import { createEstimator, readAudit } from '../../src/server';
import { audit, auditPopulation, auditSegments, captureReports, seedCrypto } from './sim-helpers';

const EPSILON = 1;
const figures: Record<string, unknown> = {};
afterAll(() => console.log('audit simulation figures', JSON.stringify(figures)));

describe('fairness audit: evidence', () => {
  it('real clients: 50 % in group a vs 20 % in group b is flagged and the ratio interval covers 0.4', async () => {
    const N = 4000;
    const spy = seedCrypto(101);
    const cap = captureReports();
    try {
      const t = Date.UTC(2026, 0, 5, 12);
      let i = 0;
      for (const v of auditPopulation(N, { a: 0.5, b: 0.2 }, 1)) {
        const c = await createClient({ storage: 'memory', namespace: `aud${i++}`, now: () => t, segments: auditSegments, cohorts: [audit.space], report: { endpoint: 'https://c.example/v1/reports', epsilon: EPSILON } });
        await c.consent.update({ personalization: true, measurement: true });
        if (v.group) await c.track('cohort', { g: v.group });
        if (v.member) await c.track('subscribe');
        await c.flush();
        await c.close();
      }
    } finally {
      spy.mockRestore();
      cap.restore();
    }
    expect(cap.sent).toHaveLength(N);
    expect(new Set(cap.sent.map((r) => `${r.space}|${r.mechanism}|${r.k}`))).toEqual(new Set(['audit-subs|grr|5']));
    const est = createEstimator({ spaces: [audit.space] });
    for (const r of cap.sent) expect(est.add(r).ok).toBe(true);
    const res = readAudit(est.estimate('audit-subs'));
    figures.realClients = { n: N, ratio: res.ratio, ci95: res.ci95, groups: res.groups.map((g) => [g.id, +g.rate.toFixed(3), +g.stderr.toFixed(3)]) };
    expect(res.lowest).toBe('b');
    expect(res.ci95[0]).toBeLessThanOrEqual(0.4);
    expect(res.ci95[1]).toBeGreaterThanOrEqual(0.4);
    expect(res.flagged).toBe(true);
  }, 120_000);

});
