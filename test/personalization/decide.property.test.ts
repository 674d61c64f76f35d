import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLocalId, decideVariant, holdoutBucket } from '../../src/personalization';
import type { DecideEnv } from '../../src/personalization';
import type { DecideRequest } from '../../src/types';

const NOW = 10 * 86_400_000;
const ids = ['a', 'b', 'c', 'd'];
const state = fc.record({ member: fc.boolean(), sensitive: fc.boolean(), granted: fc.boolean(), known: fc.boolean() });
const world = fc.record({
  segments: fc.dictionary(fc.constantFrom(...ids), state),
  variants: fc.array(fc.constantFrom(...ids), { maxLength: 4 }),
  holdout: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  bucket: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  randomize: fc.option(fc.boolean(), { nil: undefined }),
  cap: fc.option(fc.record({ max: fc.integer({ min: 1, max: 3 }), per: fc.constantFrom('1h', '1d') }), { nil: undefined }),
  exposures: fc.dictionary(fc.constantFrom(...ids), fc.array(fc.integer({ min: NOW - 2 * 86_400_000, max: NOW }), { maxLength: 4 })),
  allowSensitive: fc.boolean(),
});
type World = typeof world extends fc.Arbitrary<infer W> ? W : never;

const run = (w: World, bucket: number | (() => number) = w.bucket) => {
  const req: DecideRequest = { slot: 'hero', variants: w.variants.map((segment) => ({ segment, value: `v-${segment}` })), fallback: 'F', allowSensitive: w.allowSensitive };
  if (w.holdout !== undefined) req.holdout = w.holdout;
  if (w.cap) req.cap = w.cap as DecideRequest['cap'];
  const env: DecideEnv = {
    member: (id) => w.segments[id] ?? { member: false, sensitive: false, granted: false, known: false },
    holdoutBucket: bucket,
    randomize: w.randomize,
    exposures: (_slot, s) => w.exposures[s] ?? [],
    now: NOW,
  };
  return decideVariant(req, env);
};

/** The variant this visitor would be shown (first consented member, cap not reached), computed independently. */
function eligibleVariant(w: World): string | undefined {
  for (const id of w.variants) {
    const m = w.segments[id];
    if (!m || !m.known || (m.sensitive && !w.allowSensitive) || !m.granted || !m.member) continue;
    if (w.cap) {
      const per = w.cap.per === '1h' ? 3_600_000 : 86_400_000;
      if ((w.exposures[id] ?? []).filter((t) => NOW - t < per).length >= w.cap.max) return undefined;
    }
    return id;
  }
  return undefined;
}

describe('decideVariant properties', () => {
  it('holdout is never returned to a visitor with no eligible variant, and always to an eligible one whose bucket is under the share', () => {
    fc.assert(
      fc.property(world, (w) => {
        const d = run(w);
        const v = eligibleVariant(w);
        const held = v !== undefined && !!w.holdout && w.randomize !== false && w.bucket < w.holdout;
        expect(d.reason === 'holdout').toBe(held);
        if (d.reason === 'holdout') expect(d).toEqual({ value: 'F', reason: 'holdout', segment: v });
        if (d.reason === 'segment') expect(d).toEqual({ value: `v-${v}`, reason: 'segment', segment: v });
        if (v === undefined) expect(['no-match', 'no-consent', 'capped']).toContain(d.reason);
      }),
      { numRuns: 2000 },
    );
  });

  it('the bucket is read only for an eligible visitor with a holdout, and decides the same each time', () => {
    fc.assert(
      fc.property(world, (w) => {
        let reads = 0;
        const d = run(w, () => (reads++, w.bucket));
        expect(reads).toBe(eligibleVariant(w) !== undefined && w.holdout && w.randomize !== false ? 1 : 0);
        expect(run(w)).toEqual(d);
      }),
      { numRuns: 1000 },
    );
  });

  it('the bucket is stable per visitor and slot: the same id gives the same arm whatever else the request holds', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 16 }), world, world, (slot, w1, w2) => {
        const id = createLocalId((b) => crypto.getRandomValues(b));
        const b = holdoutBucket(id, slot);
        expect(holdoutBucket(id, slot)).toBe(b);
        // two requests for the same slot where the visitor is eligible: same arm for the same share
        const e = { ...w1, holdout: 0.5, randomize: true, cap: undefined, variants: ['a'], segments: { a: { member: true, sensitive: false, granted: true, known: true } } };
        const f = { ...w2, holdout: 0.5, randomize: true, cap: undefined, variants: ['b', 'a'], segments: { a: { member: true, sensitive: false, granted: true, known: true } } };
        expect(run(e, () => b).reason).toBe(run(f, () => b).reason);
      }),
      { numRuns: 300 },
    );
  });
});
