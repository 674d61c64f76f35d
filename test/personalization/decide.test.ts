import { describe, expect, it } from 'vitest';
import { decideVariant } from '../../src/personalization';
import type { DecideEnv } from '../../src/personalization';
import type { DecideRequest } from '../../src/types';

type M = { member: boolean; sensitive: boolean; granted: boolean; known: boolean };
const seg = (p: Partial<M> = {}): M => ({ member: true, sensitive: false, granted: true, known: true, ...p });
const env = (segments: Record<string, M>, over: Partial<DecideEnv> = {}): DecideEnv => ({
  member: (id) => segments[id] ?? { member: false, sensitive: false, granted: false, known: false },
  holdoutBucket: 0.5,
  exposures: () => [],
  now: 1_000_000,
  ...over,
});
const req = (over: Partial<DecideRequest> = {}): DecideRequest => ({
  slot: 'hero',
  variants: [
    { segment: 'vip', value: 'V' },
    { segment: 'new', value: 'N' },
  ],
  fallback: 'F',
  ...over,
});

describe('decideVariant', () => {
  it('segment: the first member wins, in variant order', () => {
    expect(decideVariant(req(), env({ vip: seg(), new: seg() }))).toEqual({ value: 'V', reason: 'segment', segment: 'vip' });
    expect(decideVariant(req(), env({ vip: seg({ member: false }), new: seg() }))).toEqual({ value: 'N', reason: 'segment', segment: 'new' });
  });

  it('no-match: nobody is a member (or no variants)', () => {
    expect(decideVariant(req(), env({ vip: seg({ member: false }), new: seg({ member: false }) }))).toEqual({ value: 'F', reason: 'no-match' });
    expect(decideVariant(req({ variants: [] }), env({}))).toEqual({ value: 'F', reason: 'no-match' });
  });

  it('no-match for unknown segments, whatever they claim', () => {
    expect(decideVariant(req(), env({ vip: seg({ known: false }), new: seg({ known: false, granted: false }) })).reason).toBe('no-match');
  });

  it('no-consent: a considered segment lacked consent and nothing matched', () => {
    expect(decideVariant(req(), env({ vip: seg({ granted: false }), new: seg({ member: false }) }))).toEqual({ value: 'F', reason: 'no-consent' });
    // a membership without consent never wins
    expect(decideVariant(req(), env({ vip: seg({ granted: false, member: true }), new: seg({ member: false }) })).reason).toBe('no-consent');
  });

  it('a later granted member still wins over an earlier ungranted one', () => {
    expect(decideVariant(req(), env({ vip: seg({ granted: false }), new: seg() }))).toMatchObject({ reason: 'segment', segment: 'new' });
  });

  it('sensitive segments are skipped unless allowSensitive', () => {
    const e = env({ vip: seg({ sensitive: true }), new: seg({ member: false }) });
    expect(decideVariant(req(), e).reason).toBe('no-match');
    expect(decideVariant(req({ allowSensitive: true }), e)).toMatchObject({ reason: 'segment', segment: 'vip' });
    // an ungranted sensitive segment that is skipped does not make it 'no-consent'
    expect(decideVariant(req(), env({ vip: seg({ sensitive: true, granted: false }), new: seg({ member: false }) })).reason).toBe('no-match');
  });

  it('holdout: an eligible visitor whose bucket is below the share gets the fallback and the segment they would have seen', () => {
    const all = { vip: seg(), new: seg() };
    expect(decideVariant(req({ holdout: 0.2 }), env(all, { holdoutBucket: 0.19 }))).toEqual({ value: 'F', reason: 'holdout', segment: 'vip' });
    expect(decideVariant(req({ holdout: 0.2 }), env(all, { holdoutBucket: 0.2 })).reason).toBe('segment');
    expect(decideVariant(req({ holdout: 0 }), env(all, { holdoutBucket: 0 })).reason).toBe('segment');
    expect(decideVariant(req({ holdout: 1 }), env(all, { holdoutBucket: 0.9999 })).reason).toBe('holdout');
    // the segment is the variant they would have seen, not the first one listed
    expect(decideVariant(req({ holdout: 1 }), env({ vip: seg({ member: false }), new: seg() }))).toEqual({ value: 'F', reason: 'holdout', segment: 'new' });
  });

  it('holdout (changes v1): never for a visitor with no eligible variant', () => {
    const h = { holdoutBucket: 0 }; // would be held out if eligible
    expect(decideVariant(req({ holdout: 0.5 }), env({ vip: seg({ granted: false }) }, h))).toEqual({ value: 'F', reason: 'no-consent' });
    expect(decideVariant(req({ holdout: 0.5 }), env({ vip: seg({ member: false }), new: seg({ member: false }) }, h)).reason).toBe('no-match');
    expect(decideVariant(req({ holdout: 1, variants: [] }), env({}, h)).reason).toBe('no-match');
    const capped = env({ vip: seg() }, { ...h, exposures: () => [999_999] });
    expect(decideVariant(req({ holdout: 1, cap: { max: 1, per: '1d' } }), capped)).toEqual({ value: 'F', reason: 'capped', segment: 'vip' });
  });

  it('holdout: not applied while the experiment may not randomize (its purposes not granted)', () => {
    const e = env({ vip: seg() }, { holdoutBucket: 0, randomize: false });
    expect(decideVariant(req({ holdout: 1 }), e)).toEqual({ value: 'V', reason: 'segment', segment: 'vip' });
  });

  it('holdout: the bucket is read only for an eligible visitor with a holdout', () => {
    let reads = 0;
    const bucket = () => (reads++, 0.9);
    decideVariant(req({ holdout: 0.5 }), env({ vip: seg({ member: false }) }, { holdoutBucket: bucket }));
    decideVariant(req(), env({ vip: seg() }, { holdoutBucket: bucket }));
    expect(reads).toBe(0);
    expect(decideVariant(req({ holdout: 0.5 }), env({ vip: seg() }, { holdoutBucket: bucket })).reason).toBe('segment');
    expect(reads).toBe(1);
  });

  it('capped: the winning variant reached max exposures within per', () => {
    const now = 10 * 86400000;
    const times = [now - 86400000, now - 86399999, now - 1000]; // first is exactly 1d ago: out of the window
    const e = env({ vip: seg(), new: seg() }, { now, exposures: (slot, s) => (slot === 'hero' && s === 'vip' ? times : []) });
    expect(decideVariant(req({ cap: { max: 2, per: '1d' } }), e)).toEqual({ value: 'F', reason: 'capped', segment: 'vip' });
    expect(decideVariant(req({ cap: { max: 3, per: '1d' } }), e)).toMatchObject({ value: 'V', reason: 'segment' });
    expect(decideVariant(req({ cap: { max: 2, per: '1h' } }), e)).toMatchObject({ reason: 'segment' });
    expect(decideVariant(req({ cap: { max: 3, per: '2d' } }), e)).toMatchObject({ reason: 'capped', segment: 'vip' });
    expect(decideVariant(req(), e).reason).toBe('segment');
  });

  it('caps are per slot and variant', () => {
    const e = env({ vip: seg({ member: false }), new: seg() }, { exposures: (_slot, s) => (s === 'vip' ? [999_999, 999_998] : []) });
    expect(decideVariant(req({ cap: { max: 1, per: '1d' } }), e)).toMatchObject({ reason: 'segment', segment: 'new' });
  });
});
