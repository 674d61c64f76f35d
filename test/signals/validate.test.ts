import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runInNewContext } from 'node:vm';
import { CohortkitError } from '../../src/errors';
import { MAX_PROPS, validateTrack } from '../../src/signals';

class Thing {
  a = 1;
}
const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
const throwing = Object.defineProperty({}, 'price', {
  enumerable: true,
  get() {
    throw new Error('boom');
  },
});
const hostileProxy = new Proxy(
  {},
  {
    ownKeys() {
      throw new Error('trap');
    },
  },
);

// [label, event, props, message fragment]
const bad: Array<[string, unknown, unknown, string]> = [
  ['number event', 42, undefined, 'event:'],
  ['null event', null, undefined, 'event: expected a string, got null'],
  ['undefined event', undefined, undefined, 'event:'],
  ['empty event', '', undefined, 'event:'],
  ['event with space', 'add to cart', undefined, 'event:'],
  ['event starting with _', '_private', undefined, 'event:'],
  ['event of 65 chars', 'a'.repeat(65), undefined, 'event:'],
  ['event with slash', 'a/b', undefined, 'event:'],
  ['null props', 'view', null, 'props: expected a plain object'],
  ['array props', 'view', [1], 'props: expected a plain object'],
  ['string props', 'view', 'x', 'props: expected a plain object'],
  ['number props', 'view', 3, 'props: expected a plain object'],
  ['Date props', 'view', new Date(0), 'props: expected a plain object'],
  ['Map props', 'view', new Map(), 'props: expected a plain object'],
  ['class instance', 'view', new Thing(), 'props: expected a plain object'],
  ['function props', 'view', () => 1, 'props: expected a plain object'],
  ['17 keys', 'view', many(MAX_PROPS + 1), 'props: at most 16 keys'],
  ['bad key', 'view', { 'a b': 1 }, 'props["a b"]: expected a name matching /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/'],
  ['empty key', 'view', { '': 1 }, 'props[""]'],
  ['null value', 'view', { price: null }, 'props.price: expected a string, finite number or boolean'],
  ['undefined value', 'view', { price: undefined }, 'props.price: expected'],
  ['NaN', 'view', { price: NaN }, 'props.price: expected a string, finite number or boolean'],
  ['Infinity', 'view', { price: Infinity }, 'props.price:'],
  ['-Infinity', 'view', { price: -Infinity }, 'props.price:'],
  ['object value', 'view', { price: { v: 1 } }, 'props.price:'],
  ['array value', 'view', { tags: ['a'] }, 'props.tags:'],
  ['bigint value', 'view', { n: 1n }, 'props.n:'],
  ['symbol value', 'view', { s: Symbol('x') }, 'props.s:'],
  ['long string', 'view', { q: 'x'.repeat(257) }, 'props.q: string longer than 256'],
  ['257 emoji', 'view', { q: '😀'.repeat(257) }, 'props.q: string longer than 256 characters'],
  ['256 characters and an emoji', 'view', { q: 'x'.repeat(256) + '😀' }, 'props.q: string longer than 256 characters'],
  ['a huge string', 'view', { q: 'x'.repeat(1e7) }, 'props.q: string longer than 256 characters'],
  ['throwing getter', 'view', throwing, 'props.price: could not be read'],
  ['hostile proxy', 'view', hostileProxy, 'props: could not be read'],
];

describe('validateTrack', () => {
  it.each(bad)('rejects %s', (_label, event, props, fragment) => {
    let err: unknown;
    try {
      validateTrack(event, props);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CohortkitError);
    expect((err as CohortkitError).code).toBe('invalid-argument');
    expect((err as CohortkitError).message).toContain(fragment);
  });

  it('keeps the cause of a throwing getter', () => {
    try {
      validateTrack('view', throwing);
      expect.unreachable();
    } catch (e) {
      expect(((e as CohortkitError).cause as Error).message).toBe('boom');
    }
  });

  const good: Array<[string, unknown, Record<string, unknown>]> = [
    ['view', undefined, {}],
    ['a', {}, {}],
    ['A'.repeat(64), {}, {}],
    ['checkout:step_2.done-x', { 'plan.tier': 'pro', 'a:b-c_d': 1 }, { 'plan.tier': 'pro', 'a:b-c_d': 1 }],
    ['view', { price: 0, neg: -1.5, ok: true, no: false, s: '' }, { price: 0, neg: -1.5, ok: true, no: false, s: '' }],
    ['view', { q: 'x'.repeat(256) }, { q: 'x'.repeat(256) }],
    // Characters are code points: 200 (or 256) emoji are 400 (512) UTF-16 code units.
    ['view', { q: '😀'.repeat(200) }, { q: '😀'.repeat(200) }],
    ['view', { q: '😀'.repeat(256) }, { q: '😀'.repeat(256) }],
    ['view', { q: 'x'.repeat(255) + '😀' }, { q: 'x'.repeat(255) + '😀' }],
    ['view', many(MAX_PROPS), many(MAX_PROPS)],
    ['view', Object.assign(Object.create(null), { a: 1 }), { a: 1 }],
  ];
  it.each(good)('accepts %s', (event, props, expected) => {
    const r = validateTrack(event, props);
    expect(r.event).toBe(event);
    expect(r.props).toEqual(expected);
    expect(r.props).not.toBe(props);
  });

  it('reads each getter once and returns a snapshot', () => {
    let reads = 0;
    const props = Object.defineProperty({}, 'n', { enumerable: true, get: () => ++reads });
    expect(validateTrack('view', props).props).toEqual({ n: 1 });
    expect(reads).toBe(1);
  });

  it('accepts a plain object from another realm, rejects its arrays', () => {
    const props = runInNewContext('({ a: 1 })') as object;
    expect(Object.getPrototypeOf(props)).not.toBe(Object.prototype);
    expect(validateTrack('view', props).props).toEqual({ a: 1 });
    expect(() => validateTrack('view', runInNewContext('[1]'))).toThrow('props: expected a plain object');
  });

  it('throws nothing but CohortkitError invalid-argument, and returns only scalars', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withTypedArray: true }), fc.anything({ withBigInt: true, withDate: true, withMap: true, withNullPrototype: true }), (event, props) => {
        try {
          const r = validateTrack(event, props);
          expect(typeof r.event).toBe('string');
          for (const v of Object.values(r.props)) expect(['string', 'number', 'boolean']).toContain(typeof v);
        } catch (e) {
          expect(e).toBeInstanceOf(CohortkitError);
          expect((e as CohortkitError).code).toBe('invalid-argument');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('accepts every valid name and scalar dictionary', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/);
    const scalar = fc.oneof(fc.string({ maxLength: 256 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean());
    fc.assert(
      fc.property(name, fc.dictionary(name, scalar, { maxKeys: 16 }), (event, props) => {
        expect(validateTrack(event, props).props).toEqual(props);
      }),
    );
  });
});
