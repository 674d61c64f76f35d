import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index';
import { defineExperiment, readLift } from '../../src/personalization';
import { createMechanism } from '../../src/privacy';
import { createEstimator } from '../../src/server';
import { seededRandom } from '../privacy/helpers';

const exp = defineExperiment({ id: 'hero', slot: 'hero', conversion: { event: 'purchase' }, purposes: ['personalization', 'measurement'] });

describe('experiments: lift from LDP reports alone', () => {
  it('defines valid segments and a 4-cohort space the client accepts', async () => {
    const c = await createClient({
      storage: 'memory',
      segments: [{ id: 'fan', description: 'fan', rule: { event: 'article_view' } }, ...exp.segments],
      cohorts: [exp.space],
      report: { endpoint: 'https://c.example/r' },
    });
    expect(exp.space.cohorts.map((x) => x.id)).toEqual(['holdout-converted', 'holdout-not', 'treated-converted', 'treated-not']);
    await c.consent.update({ personalization: true, measurement: true });
    await c.track('article_view'); // eligible: a consented member of the variant's segment
    // holdout: 1 keeps every eligible visitor on the fallback and records the arm locally
    const d = await c.decide({ slot: 'hero', holdout: 1, variants: [{ segment: 'fan', value: 'A' }], fallback: 'F' });
    expect(d.reason).toBe('holdout');
    expect((await c.explain('exp-hero-holdout-n')).member).toBe(true);
    await c.track('purchase');
    expect((await c.explain('exp-hero-holdout-c')).member).toBe(true);
    expect((await c.explain('exp-hero-treated-c')).member).toBe(false);
    await c.close();
  });

  it('recovers a planted lift from simulated visitors', () => {
    const random = seededRandom(7);
    const est = createEstimator({ spaces: [exp.space] });
    const truth = { holdout: 0.1, treated: 0.16 };
    const N = 60_000;
    const m = createMechanism({ k: 5, epsilon: 2, mechanism: 'grr', random });
    const u = () => {
      const b = new Uint8Array(4);
      random(b);
      return new DataView(b.buffer).getUint32(0) / 2 ** 32;
    };
    const id = () => {
      const b = new Uint8Array(16);
      random(b);
      let s = Buffer.from(b).toString('base64url');
      return s;
    };
    for (let i = 0; i < N; i++) {
      const treated = u() < 0.5;
      const converted = u() < (treated ? truth.treated : truth.holdout);
      const index = (treated ? 2 : 0) + (converted ? 0 : 1);
      const r = { v: 1, id: id(), space: exp.space.id, spaceVersion: 1, epoch: 20000, k: 5, mechanism: 'grr', epsilon: 2, ...m.perturb(index) };
      expect(est.add(r).ok).toBe(true);
    }
    const lift = readLift(est.estimate(exp.space.id));
    expect(Math.abs(lift.holdout.rate - truth.holdout)).toBeLessThan(4 * lift.holdout.stderr);
    expect(Math.abs(lift.treated.rate - truth.treated)).toBeLessThan(4 * lift.treated.stderr);
    expect(Math.abs(lift.lift - 0.06)).toBeLessThan(4 * lift.stderr);
    expect(lift.ci95[0]).toBeGreaterThan(0); // the planted lift is detected
    expect(lift.stderr).toBeGreaterThan(0);
  });

  it('no reports: zero rates, zero lift', () => {
    const est = createEstimator({ spaces: [exp.space] });
    expect(readLift(est.estimate(exp.space.id))).toMatchObject({ lift: 0, stderr: 0 });
  });
});
