// Eligibility and intent to treat through the real client (decide → ck.exposure signal → arm
// segments → the experiment space's cohort). IndexedDB (fake-indexeddb) where reloads matter.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/index';
import { defineExperiment } from '../../src/personalization';
import type { Client, ClientOptions, DecideRequest, SegmentDefinition } from '../../src/types';
import { clock } from '../helpers';

const DAY = 86_400_000;
const exp = defineExperiment({ id: 'hero', slot: 'hero', conversion: { event: 'purchase' }, purposes: ['personalization', 'measurement'] });
const fan: SegmentDefinition = { id: 'fan', description: 'reads articles', rule: { event: 'article_view' } };
const always: SegmentDefinition = { id: 'always', description: 'context only', purposes: [], rule: { context: 'hour', in: Array.from({ length: 24 }, (_, i) => i) } };
let n = 0;
let open: Client[] = [];
afterEach(async () => {
  await Promise.all(open.map((c) => c.close()));
  open = [];
});

async function client(extra: Partial<ClientOptions> = {}, segments: SegmentDefinition[] = [fan, always]) {
  const c = await createClient({ storage: 'memory', segments: [...segments, ...exp.segments], cohorts: [exp.space], ...extra });
  open.push(c);
  return c;
}
const req = (over: Partial<DecideRequest> = {}): DecideRequest => ({ slot: 'hero', holdout: 0.5, variants: [{ segment: 'fan', value: 'A' }], fallback: 'F', ...over });
/** The stored exposure rollups of the hero slot: arm → count. */
async function arms(c: Client) {
  const out: Record<string, number> = {};
  for (const s of (await c.exportData()).signals as Array<{ event: string; props: Record<string, unknown>; count: number }>)
    if (s.event === 'ck.exposure' && s.props.slot === 'hero') out[String(s.props.arm)] = (out[String(s.props.arm)] ?? 0) + s.count;
  return out;
}
const member = async (c: Client, id: string) => (await c.explain(id)).member;
const TINY = 1e-12; // a holdout share no bucket falls under: the visitor is treated

describe('eligibility: holdout only for visitors who would be shown a variant', () => {
  it('before consent: no-consent, never holdout, nothing recorded', async () => {
    const c = await client();
    expect(await c.decide(req({ holdout: 1 }))).toEqual({ value: 'F', reason: 'no-consent' });
    expect(await arms(c)).toEqual({});
  });

  it("nobody joins an arm before the experiment's purposes are granted, even when a variant needs no consent", async () => {
    const c = await client();
    const r = req({ holdout: 1, variants: [{ segment: 'always', value: 'C' }] });
    expect(await c.decide(r)).toEqual({ value: 'C', reason: 'segment', segment: 'always' });
    await c.consent.update({ personalization: true });
    expect((await c.decide(r)).reason).toBe('segment'); // measurement (an experiment purpose) still missing
    expect(await arms(c)).toEqual({});
    await c.consent.update({ measurement: true });
    expect(await c.decide(r)).toEqual({ value: 'F', reason: 'holdout', segment: 'always' });
    expect(await arms(c)).toEqual({ holdout: 1 });
    expect(await member(c, 'exp-hero-holdout-n')).toBe(true);
  });

  it('a consented non-member joins no arm', async () => {
    const c = await client();
    await c.consent.update({ personalization: true, measurement: true });
    expect((await c.decide(req({ holdout: 1 }))).reason).toBe('no-match');
    expect(await arms(c)).toEqual({});
    await c.track('purchase');
    expect(await member(c, 'exp-hero-holdout-c')).toBe(false); // reports `unexposed`
  });
});

describe('property: an arm is joined only by an eligible visitor with every experiment purpose granted', () => {
  it('over random consent, membership, variant and holdout', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          personalization: fc.boolean(),
          measurement: fc.boolean(),
          reads: fc.boolean(),
          variant: fc.constantFrom('fan', 'always'),
          holdout: fc.constantFrom(undefined, 0, 0.5, 1),
        }),
        async (w) => {
          const now = clock();
          const c = await client({ now });
          await c.consent.update({ personalization: w.personalization, measurement: w.measurement });
          if (w.reads) await c.track('article_view');
          const d = await c.decide(req({ holdout: w.holdout, variants: [{ segment: w.variant, value: 'A' }] }));
          const eligible = w.variant === 'always' || (w.personalization && w.reads);
          const randomized = eligible && w.personalization && w.measurement && !!w.holdout;
          if (!eligible) expect(['no-match', 'no-consent']).toContain(d.reason);
          if (d.reason === 'holdout') expect(randomized).toBe(true);
          if (w.holdout === 1) expect(d.reason === 'holdout').toBe(randomized);
          const joined = await arms(c);
          expect(Object.keys(joined).length > 0).toBe(randomized);
          if (randomized) expect(joined).toEqual({ [d.reason === 'holdout' ? 'holdout' : 'treated']: 1 });
          await c.close();
          open = open.filter((x) => x !== c);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('intent to treat: the arm of the first eligible decision is kept', () => {
  const eligible = async (extra: Partial<ClientOptions> = {}, segments?: SegmentDefinition[]) => {
    const c = await client(extra, segments);
    await c.consent.update({ personalization: true, measurement: true });
    await c.track('article_view');
    return c;
  };

  it('a changed holdout share changes what is shown, not the arm', async () => {
    const now = clock();
    const c = await eligible({ now });
    expect((await c.decide(req({ holdout: 1 }))).reason).toBe('holdout');
    now.advance(2000);
    expect(await c.decide(req({ holdout: TINY }))).toMatchObject({ value: 'A', reason: 'segment' });
    now.advance(2000);
    expect(await c.decide(req({ holdout: undefined }))).toMatchObject({ reason: 'segment' });
    expect(await arms(c)).toEqual({ holdout: 3 });
    await c.track('purchase');
    expect(await member(c, 'exp-hero-holdout-c')).toBe(true);
    expect(await member(c, 'exp-hero-treated-c')).toBe(false);
  });

  it('a capped visitor keeps the arm they joined (treated), and converts for it', async () => {
    const now = clock();
    const c = await eligible({ now });
    const r = req({ holdout: TINY, cap: { max: 1, per: '1d' } });
    expect((await c.decide(r)).reason).toBe('segment');
    now.advance(2000);
    expect(await c.decide(r)).toMatchObject({ reason: 'capped', segment: 'fan' });
    expect(await arms(c)).toEqual({ treated: 2 });
    await c.track('purchase');
    expect(await member(c, 'exp-hero-treated-c')).toBe(true);
  });

  it('a capped visitor with no arm yet joins none; they join once the cap window has passed', async () => {
    const now = clock();
    const c = await eligible({ now });
    const r = req({ holdout: TINY, cap: { max: 1, per: '1d' } });
    expect((await c.decide({ ...r, holdout: undefined })).reason).toBe('segment'); // before the experiment: no holdout, no arm
    expect(await arms(c)).toEqual({});
    now.advance(2000);
    expect((await c.decide(r)).reason).toBe('capped');
    expect(await arms(c)).toEqual({});
    now.advance(DAY);
    expect((await c.decide(r)).reason).toBe('segment');
    expect(await arms(c)).toEqual({ treated: 1 });
  });

  it('a visitor who left the segment stays in their arm', async () => {
    const now = clock();
    const recent: SegmentDefinition = { ...fan, rule: { event: 'article_view', within: '1d' } };
    const c = await eligible({ now }, [recent, always]);
    const first = (await c.decide(req())).reason;
    const arm = first === 'holdout' ? 'holdout' : 'treated';
    now.advance(2 * DAY);
    expect((await c.decide(req())).reason).toBe('no-match');
    expect(await arms(c)).toEqual({ [arm]: 2 });
    expect(await member(c, `exp-hero-${arm}`)).toBe(true);
  });

  it("a new version of the variant's segment mid-experiment keeps every arm already joined", async () => {
    const namespace = `itt-version-${n++}`;
    const now = clock();
    const v1 = await eligible({ storage: 'indexeddb', namespace, now });
    const first = (await v1.decide(req())).reason;
    const arm = first === 'holdout' ? 'holdout' : 'treated';
    await v1.close();
    // v2 asks for three articles: this visitor is no longer a member
    const v2seg: SegmentDefinition = { ...fan, version: 2, rule: { event: 'article_view', count: { gte: 3 } } };
    now.advance(DAY);
    const v2 = await client({ storage: 'indexeddb', namespace, now }, [v2seg, always]);
    expect((await v2.decide(req())).reason).toBe('no-match');
    expect(await member(v2, `exp-hero-${arm}`)).toBe(true);
    expect(await arms(v2)).toEqual({ [arm]: 2 });
    // a newcomer who is not a v2 member joins no arm
    const newcomer = await client({ now }, [v2seg, always]);
    await newcomer.consent.update({ personalization: true, measurement: true });
    await newcomer.track('article_view');
    expect((await newcomer.decide(req())).reason).toBe('no-match');
    expect(await arms(newcomer)).toEqual({});
  });

  it('the exposure expires with the retention: the visitor then reports unexposed, and rejoins the same arm on return', async () => {
    const now = clock();
    const c = await eligible({ now });
    const first = (await c.decide(req())).reason;
    const arm = first === 'holdout' ? 'holdout' : 'treated';
    now.advance(31 * DAY);
    expect(await member(c, `exp-hero-${arm}`)).toBe(false);
    await c.track('article_view');
    expect((await c.decide(req())).reason).toBe(first); // same local id, same bucket
    expect(await member(c, `exp-hero-${arm}`)).toBe(true);
  });

  it('withdrawal purges the arm; after a new grant the visitor is randomized afresh', async () => {
    const now = clock();
    const c = await eligible({ now });
    await c.decide(req({ holdout: 1 }));
    expect(await arms(c)).toEqual({ holdout: 1 });
    const state = await c.consent.update({ personalization: false });
    expect(state.personalization).toBe('denied');
    expect(await arms(c)).toEqual({});
    now.advance(2000);
    await c.consent.update({ personalization: true });
    await c.track('article_view');
    await c.decide(req({ holdout: TINY }));
    expect(await arms(c)).toEqual({ treated: 1 });
  });
});

describe('the holdout bucket', () => {
  it('withdrawal deletes the local id: after a new grant visitors are bucketed afresh', async () => {
    let flipped = 0;
    for (let i = 0; i < 20; i++) {
      const now = clock();
      const c = await client({ now });
      await c.consent.update({ personalization: true, measurement: true });
      await c.track('article_view');
      const before = (await c.decide(req())).reason;
      await c.consent.update({ personalization: false });
      now.advance(2000);
      await c.consent.update({ personalization: true });
      await c.track('article_view');
      if ((await c.decide(req())).reason !== before) flipped++;
    }
    // a kept id would never flip; a fresh one flips half the time (P(no flip in 20) = 2^-20)
    expect(flipped).toBeGreaterThan(0);
  });


  it('is stable per visitor and slot across decisions and reloads (local id persisted under consent)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('hero', 'footer', 'promo'), { minLength: 3, maxLength: 8 }), async (slots) => {
        const namespace = `itt-bucket-${n++}`;
        const first = new Map<string, string>();
        for (let load = 0; load < 2; load++) {
          const c = await client({ storage: 'indexeddb', namespace });
          if (load === 0) await c.consent.update({ personalization: true, measurement: true });
          await c.track('article_view');
          for (const slot of slots) {
            const { reason } = await c.decide(req({ slot }));
            expect(['holdout', 'segment']).toContain(reason);
            expect(reason).toBe(first.get(slot) ?? reason);
            first.set(slot, reason);
          }
          await c.close();
          open = open.filter((x) => x !== c);
        }
      }),
      { numRuns: 8 },
    );
  });
});
