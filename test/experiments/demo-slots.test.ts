// @vitest-environment node
// The demo page's hero slot (examples/demo/config.js) through real clients: before consent
// nobody is held out (v1 showed "holdout: you see the default…" to a visitor who had not
// consented); after consent only visitors who would see a variant are.
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- the demo's config is plain JS without declarations
import { EXPERIMENT, PURPOSES, SEGMENTS, SLOTS } from '../../examples/demo/config.js';
import { createClient } from '../../src/index';
import { defineExperiment } from '../../src/personalization';
import type { DecideRequest, SegmentDefinition } from '../../src/types';

const exp = defineExperiment(EXPERIMENT);
const hero = (() => {
  const { title: _t, note: _n, ...req } = SLOTS.find((s: { slot: string }) => s.slot === 'hero');
  return req as DecideRequest;
})();

describe('demo hero slot', () => {
  it('before consent no visitor is held out; after consent only would-be-personalized visitors are', async () => {
    const reasons = { before: new Set<string>(), shopper: new Set<string>(), stranger: new Set<string>() };
    for (let i = 0; i < 24; i++) {
      const c = await createClient({ storage: 'memory', purposes: PURPOSES, segments: [...(SEGMENTS as SegmentDefinition[]), ...exp.segments], cohorts: [exp.space] });
      reasons.before.add((await c.decide(hero)).reason);
      await c.track('pricing_view', { plan: 'pro' });
      reasons.before.add((await c.decide(hero)).reason);
      await c.consent.update({ personalization: true, measurement: true });
      reasons.stranger.add((await c.decide(hero)).reason);
      await c.track('pricing_view', { plan: 'pro', n: 1 });
      await c.track('pricing_view', { plan: 'pro', n: 2 });
      await c.track('add_to_cart', { sku: 'a', price: 49 });
      const d = await c.decide(hero);
      reasons.shopper.add(d.reason);
      if (d.reason === 'holdout') expect(d.segment).toBe('shopper');
      await c.close();
    }
    expect([...reasons.before]).toEqual(['no-consent']);
    expect([...reasons.stranger]).toEqual(['no-match']);
    // 24 shoppers, half held out: both arms appear (P(all one arm) = 2·2^-24)
    expect([...reasons.shopper].sort()).toEqual(['holdout', 'segment']);
  });
});
