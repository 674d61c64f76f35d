import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CohortkitError } from '../../src/errors';
import { validateDecideRequest } from '../../src/personalization';

const base = { slot: 'hero', variants: [{ segment: 'vip', value: 1 }], fallback: 0 };
const throwingSlot = Object.defineProperty({ variants: [], fallback: 0 }, 'slot', {
  enumerable: true,
  get() {
    throw new Error('boom');
  },
});

const bad: Array<[string, unknown, string]> = [
  ['null', null, 'request: expected a plain object'],
  ['array', [], 'request: expected a plain object'],
  ['string', 'hero', 'request: expected a plain object'],
  ['unknown key', { ...base, extra: 1 }, 'request.extra: unknown key, expected one of slot, variants, fallback, holdout, cap, allowSensitive'],
  ['missing slot', { variants: [], fallback: 0 }, 'request.slot:'],
  ['empty slot', { ...base, slot: '' }, 'request.slot:'],
  ['long slot', { ...base, slot: 'x'.repeat(65) }, 'request.slot:'],
  ['number slot', { ...base, slot: 1 }, 'request.slot:'],
  ['missing variants', { slot: 'a', fallback: 0 }, 'request.variants:'],
  ['object variants', { ...base, variants: {} }, 'request.variants:'],
  ['variant not object', { ...base, variants: [{ segment: 'a', value: 1 }, 'b'] }, 'request.variants[1]: expected a plain object'],
  ['variant bad segment', { ...base, variants: [{ segment: 'a', value: 1 }, { segment: 'Bad Id', value: 2 }] }, 'request.variants[1].segment:'],
  ['variant missing segment', { ...base, variants: [{ value: 2 }] }, 'request.variants[0].segment:'],
  ['variant missing value', { ...base, variants: [{ segment: 'a' }] }, 'request.variants[0].value: required'],
  ['variant extra key', { ...base, variants: [{ segment: 'a', value: 1, weight: 2 }] }, 'request.variants[0].weight: unknown key, expected one of segment, value'],
  ['missing fallback', { slot: 'a', variants: [] }, 'request.fallback: required'],
  ['holdout > 1', { ...base, holdout: 1.5 }, 'request.holdout:'],
  ['holdout < 0', { ...base, holdout: -0.1 }, 'request.holdout:'],
  ['holdout NaN', { ...base, holdout: NaN }, 'request.holdout:'],
  ['holdout string', { ...base, holdout: '0.2' }, 'request.holdout:'],
  ['cap not object', { ...base, cap: 3 }, 'request.cap: expected a plain object'],
  ['cap max 0', { ...base, cap: { max: 0, per: '1d' } }, 'request.cap.max:'],
  ['cap max fraction', { ...base, cap: { max: 1.5, per: '1d' } }, 'request.cap.max:'],
  ['cap missing per', { ...base, cap: { max: 1 } }, 'request.cap.per:'],
  ['cap bad per', { ...base, cap: { max: 1, per: '1w' } }, 'request.cap.per: expected a duration like "7d"'],
  ['cap extra key', { ...base, cap: { max: 1, per: '1d', every: 2 } }, 'request.cap.every: unknown key, expected one of max, per'],
  ['allowSensitive string', { ...base, allowSensitive: 'yes' }, 'request.allowSensitive:'],
  ['throwing getter', throwingSlot, 'request.slot: could not be read'],
  [
    'throwing variant',
    { ...base, variants: Object.defineProperty([], '0', { enumerable: true, get: () => { throw new Error('boom'); } }) },
    'request.variants[0]: could not be read',
  ],
];

describe('validateDecideRequest', () => {
  it.each(bad)('rejects %s', (_label, input, fragment) => {
    let err: unknown;
    try {
      validateDecideRequest(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CohortkitError);
    expect((err as CohortkitError).code).toBe('invalid-argument');
    expect((err as CohortkitError).message).toContain(fragment);
  });

  it.each([
    ['minimal', base],
    ['undefined fallback', { slot: 'a', variants: [], fallback: undefined }],
    ['all options', { ...base, holdout: 0.2, cap: { max: 3, per: '12h' }, allowSensitive: true }],
    ['edge holdouts', { ...base, holdout: 0 }],
    ['holdout 1', { ...base, holdout: 1 }],
    ['undefined optionals', { ...base, holdout: undefined, cap: undefined, allowSensitive: undefined }],
    ['64-char slot', { ...base, slot: 'x'.repeat(64) }],
    ['object values', { slot: 'a', variants: [{ segment: 'b', value: { title: 'x' } }, { segment: 'c', value: undefined }], fallback: null }],
  ])('accepts %s and returns a copy', (_label, input) => {
    const out = validateDecideRequest(input);
    expect(out).not.toBe(input);
    expect(out.slot).toBe((input as { slot: string }).slot);
    expect(out.variants).toEqual((input as { variants: unknown[] }).variants);
    expect('fallback' in out).toBe(true);
    expect(Object.keys(out).every((k) => (out as unknown as Record<string, unknown>)[k] !== undefined || k === 'fallback')).toBe(true);
  });

  it('snapshots: later mutation of the input does not change the result', () => {
    const input = { ...base, variants: [{ segment: 'vip', value: 1 }], cap: { max: 2, per: '1d' as const } };
    const out = validateDecideRequest(input);
    input.variants.push({ segment: 'x', value: 2 });
    input.cap.max = 99;
    expect(out.variants).toHaveLength(1);
    expect(out.cap).toEqual({ max: 2, per: '1d' });
  });

  it('throws nothing but CohortkitError (property)', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withMap: true, withDate: true }), (input) => {
        try {
          validateDecideRequest(input);
        } catch (e) {
          expect(e).toBeInstanceOf(CohortkitError);
        }
      }),
    );
  });
});
