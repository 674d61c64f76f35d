import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runInNewContext } from 'node:vm';
import { isCohortkitError } from '../../src/errors';
import { compileSegments, parseDuration } from '../../src/segments';

const PURPOSES = ['personalization', 'measurement'];
const seg = (rule: unknown, extra: Record<string, unknown> = {}) => ({ id: 'a', description: 'A', rule, ...extra });
const ok = seg({ event: 'view' });
const throwing = (target: Record<string, unknown>, key: string) =>
  Object.defineProperty(target, key, {
    enumerable: true,
    get() {
      throw new Error('boom');
    },
  });

const rows: Array<[name: string, input: unknown, message: string]> = [
  ['not an array', { a: 1 }, 'segments: expected an array'],
  ['item not a plain object', [ok, 'x'], 'segments[1]: expected a plain object'],
  ['item is a class instance', [new Date()], 'segments[0]: expected a plain object'],
  ['unknown key on a segment', [{ ...ok, colour: 'red' }], 'segments[0].colour: unknown key, expected one of id, version, description, goal, purposes, sensitive, minEvidence, rule'],
  ['missing id', [{ description: 'A', rule: { event: 'view' } }], 'segments[0].id: expected an id matching /^[a-z0-9][a-z0-9_-]{0,63}$/'],
  ['uppercase id', [{ ...ok, id: 'Buyers' }], 'segments[0].id: expected an id matching /^[a-z0-9][a-z0-9_-]{0,63}$/'],
  ['duplicate id', [ok, { ...ok }], 'segments[1].id: duplicate id "a"'],
  ['empty description', [{ ...ok, description: '  ' }], 'segments[0].description: expected a non-empty string'],
  ['version 0', [{ ...ok, version: 0 }], 'segments[0].version: expected a positive integer'],
  ['version null', [{ ...ok, version: null }], 'segments[0].version: expected a positive integer'],
  ['goal not a string', [{ ...ok, goal: 3 }], 'segments[0].goal: expected a string'],
  ['sensitive not boolean', [{ ...ok, sensitive: 'yes' }], 'segments[0].sensitive: expected a boolean'],
  ['minEvidence negative', [{ ...ok, minEvidence: -1 }], 'segments[0].minEvidence: expected a non-negative integer'],
  ['minEvidence fractional', [{ ...ok, minEvidence: 1.5 }], 'segments[0].minEvidence: expected a non-negative integer'],
  ['undeclared purpose', [{ ...ok, purposes: ['personalization', 'ads'] }], 'segments[0].purposes[1]: expected a declared purpose, got "ads"'],
  ['purposes not an array', [{ ...ok, purposes: 'personalization' }], 'segments[0].purposes: expected an array'],
  ['no purposes with an event condition', [{ ...ok, purposes: [] }], 'segments[0].purposes: expected a purpose (the rule reads events)'],
  ['missing rule', [{ id: 'a', description: 'A' }], 'segments[0].rule: expected a plain object'],
  ['two kinds in one rule', [seg({ all: [{ event: 'x' }], event: 'view' })], 'segments[0].rule: expected one rule kind, got all and event'],
  ['no kind', [seg({})], 'segments[0].rule: expected one of all, any, not, event, context, segment, declared'],
  ['typo kind is an unknown key', [seg({ evnt: 'view' })], 'segments[0].rule.evnt: unknown key, expected one of all, any, not, event, context, segment, declared'],
  ['unknown key in an event rule', [seg({ all: [{ event: 'a' }, { event: 'b', since: '1d' }] })], 'segments[0].rule.all[1].since: unknown key, expected one of event, where, count, within, lastSeen, firstSeen'],
  ['unknown key next to not', [seg({ not: { event: 'a' }, why: 1 })], 'segments[0].rule.why: unknown key, expected one of not'],
  ['empty all', [seg({ all: [] })], 'segments[0].rule.all: expected a non-empty array'],
  ['any not an array', [seg({ any: { event: 'a' } })], 'segments[0].rule.any: expected a non-empty array'],
  ['bad event name', [seg({ event: 'page view' })], 'segments[0].rule.event: expected a name matching /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/'],
  ['bad within', [ok, { ...seg({ all: [{ event: 'a' }, { event: 'b', within: '7 days' }] }), id: 'b' }], 'segments[1].rule.all[1].within: expected a duration like "7d"'],
  ['zero within', [seg({ event: 'a', within: '0d' })], 'segments[0].rule.within: expected a duration like "7d"'],
  ['within in seconds', [seg({ event: 'a', within: '30s' })], 'segments[0].rule.within: expected a duration like "7d"'],
  ['count negative', [seg({ event: 'a', count: { gte: -1 } })], 'segments[0].rule.count.gte: expected a non-negative integer'],
  ['count empty', [seg({ event: 'a', count: {} })], 'segments[0].rule.count: expected gte and/or lte'],
  ['count gte > lte', [seg({ event: 'a', count: { gte: 3, lte: 1 } })], 'segments[0].rule.count: expected gte <= lte'],
  ['count unknown key', [seg({ event: 'a', count: { gt: 1 } })], 'segments[0].rule.count.gt: unknown key, expected one of gte, lte'],
  ['lastSeen both', [seg({ event: 'a', lastSeen: { within: '1d', olderThan: '2d' } })], 'segments[0].rule.lastSeen: expected within or olderThan'],
  ['lastSeen unknown key', [seg({ event: 'a', lastSeen: { before: '1d' } })], 'segments[0].rule.lastSeen.before: unknown key, expected one of within, olderThan'],
  ['lastSeen bad duration', [seg({ event: 'a', lastSeen: { olderThan: 7 } })], 'segments[0].rule.lastSeen.olderThan: expected a duration like "7d"'],
  ['firstSeen missing olderThan', [seg({ event: 'a', firstSeen: {} })], 'segments[0].rule.firstSeen: expected olderThan'],
  ['where bad key', [seg({ event: 'a', where: { 'a b': 1 } })], 'segments[0].rule.where.a b: expected a name matching /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/'],
  ['where null value', [seg({ event: 'a', where: { plan: null } })], 'segments[0].rule.where.plan: expected a string, finite number, boolean, {in} or {gte, lte}'],
  ['where NaN', [seg({ event: 'a', where: { n: NaN } })], 'segments[0].rule.where.n: expected a string, finite number, boolean, {in} or {gte, lte}'],
  ['where in empty', [seg({ event: 'a', where: { plan: { in: [] } } })], 'segments[0].rule.where.plan.in: expected a non-empty array'],
  ['where in with an object', [seg({ event: 'a', where: { plan: { in: ['a', {}] } } })], 'segments[0].rule.where.plan.in[1]: expected a string, finite number or boolean'],
  ['where in plus gte', [seg({ event: 'a', where: { n: { in: [1], gte: 0 } } })], 'segments[0].rule.where.n.gte: unknown key, expected one of in'],
  ['where range infinite', [seg({ event: 'a', where: { n: { lte: Infinity } } })], 'segments[0].rule.where.n.lte: expected a finite number'],
  ['where range empty', [seg({ event: 'a', where: { n: {} } })], 'segments[0].rule.where.n: expected gte and/or lte'],
  ['unknown context kind', [seg({ context: 'country', in: ['fr'] })], 'segments[0].rule.context: expected one of device, channel, referrer, hour, weekday, language'],
  ['context empty in', [seg({ context: 'device', in: [] })], 'segments[0].rule.in: expected a non-empty array'],
  ['context bad device', [seg({ context: 'device', in: ['mobile', 'phone'] })], 'segments[0].rule.in[1]: expected one of mobile, tablet, desktop'],
  ['context hour 24', [seg({ context: 'hour', in: [23, 24] })], 'segments[0].rule.in[1]: expected an integer 0-23'],
  ['context weekday 7', [seg({ context: 'weekday', in: [7] })], 'segments[0].rule.in[0]: expected an integer 0-6'],
  ['context language with an underscore', [seg({ context: 'language', in: ['en-US', 'en_US'] })], 'segments[0].rule.in[1]: expected a language tag like "en" or "en-US"'],
  ['context language not a tag', [seg({ context: 'language', in: ['english language'] })], 'segments[0].rule.in[0]: expected a language tag like "en" or "en-US"'],
  ['context language a number', [seg({ context: 'language', in: [1] })], 'segments[0].rule.in[0]: expected a language tag like "en" or "en-US"'],
  ['context device keeps its exact spelling', [seg({ context: 'device', in: ['Mobile'] })], 'segments[0].rule.in[0]: expected one of mobile, tablet, desktop'],
  ['context referrer keeps its exact spelling', [seg({ context: 'referrer', in: ['Search'] })], 'segments[0].rule.in[0]: expected one of none, internal, search, social, external'],
  ['context unknown key', [seg({ context: 'device', in: ['mobile'], not: 1 })], 'segments[0].rule: expected one rule kind, got context and not'],
  ['unknown key in a context rule', [seg({ context: 'device', in: ['mobile'], at: 1 })], 'segments[0].rule.at: unknown key, expected one of context, in'],
  ['unknown key in where.in', [seg({ event: 'a', where: { p: { in: [1], x: 1 } } })], 'segments[0].rule.where.p.x: unknown key, expected one of in'],
  ['unknown reference', [seg({ any: [{ event: 'a' }, { segment: 'nope' }] })], 'segments[0].rule.any[1].segment: unknown segment "nope"'],
  ['self reference', [seg({ segment: 'a' })], 'segments[0].rule.segment: reference cycle a -> a'],
  [
    'reference cycle',
    [seg({ segment: 'b' }), { id: 'b', description: 'B', rule: { all: [{ event: 'x' }, { segment: 'c' }] } }, { id: 'c', description: 'C', rule: { not: { segment: 'a' } } }],
    'segments[2].rule.not.segment: reference cycle a -> b -> c -> a',
  ],
  ['getter that throws on a segment', [throwing({ id: 'a', rule: { event: 'x' } }, 'description')], 'segments[0].description: could not be read'],
  ['getter that throws in a rule', [seg(throwing({ event: 'x' }, 'within'))], 'segments[0].rule.within: could not be read'],
  ['getter that throws on the array', (() => { const a = [ok]; throwing(a as unknown as Record<string, unknown>, '0'); return a; })(), 'segments[0]: could not be read'],
  ['nesting too deep', [seg(Array.from({ length: 40 }).reduce<unknown>((r) => ({ not: r }), { event: 'x' }))], `segments[0].rule${'.not'.repeat(33)}: nested too deeply`],
];

describe('compileSegments rejects bad definitions with the exact path', () => {
  it('has a table of at least 25 rows', () => expect(rows.length).toBeGreaterThanOrEqual(25));
  it.each(rows)('%s', (_, input, message) => {
    let error: unknown;
    try {
      compileSegments(input, { purposes: PURPOSES });
    } catch (e) {
      error = e;
    }
    expect(isCohortkitError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('invalid-options');
    expect((error as Error).message).toBe(message);
  });

  it('keeps the cause of a throwing getter', () => {
    try {
      compileSegments([throwing({ id: 'a', rule: { event: 'x' } }, 'description')], { purposes: PURPOSES });
      expect.unreachable();
    } catch (e) {
      expect((e as { cause?: Error }).cause?.message).toBe('boom');
    }
  });

  it('rejects the default purpose when personalization is not declared', () => {
    expect(() => compileSegments([ok], { purposes: ['measurement'] })).toThrow(
      'segments[0].purposes: the default "personalization" is not declared',
    );
  });
});

describe('compileSegments accepts good definitions', () => {
  it('accepts language tags in any case, stored lowercase without repeats', () => {
    const catalog = compileSegments([seg({ context: 'language', in: ['en-US', 'en-us', 'EN', 'zh-Hant-TW', 'pt-BR'] })], { purposes: PURPOSES });
    expect(catalog.get('a')!.rule).toMatchObject({ kind: 'context', context: 'language', in: ['en-us', 'en', 'zh-hant-tw', 'pt-br'] });
  });

  it('accepts undefined and [] as no segments', () => {
    expect(compileSegments(undefined, { purposes: PURPOSES }).segments).toEqual([]);
    expect(compileSegments([], { purposes: PURPOSES }).segments).toEqual([]);
  });

  it('compiles every rule form and normalizes defaults', () => {
    const catalog = compileSegments(
      [
        { id: 'ctx', description: 'context only', purposes: [], rule: { context: 'language', in: ['en', 'pt-br'] } },
        {
          id: 'full',
          description: 'everything',
          version: 3,
          goal: 'retention',
          purposes: ['measurement', 'measurement'],
          sensitive: true,
          minEvidence: 2,
          rule: {
            all: [
              { event: 'buy', where: { plan: 'pro', n: { gte: 1 }, tag: { in: [true, 2] } }, count: { gte: 1, lte: 9 }, within: '1.5h' },
              { any: [{ event: 'view', lastSeen: { within: '3d' } }, { event: 'view', firstSeen: { olderThan: '30d' } }] },
              { not: { segment: 'ctx' } },
            ],
          },
        },
      ],
      { purposes: PURPOSES },
    );
    const full = catalog.get('full')!;
    expect(full).toMatchObject({ version: 3, goal: 'retention', purposes: ['measurement'], sensitive: true, minEvidence: 2 });
    expect(full.effectivePurposes).toEqual(['measurement']);
    expect(catalog.get('ctx')).toMatchObject({ version: 1, purposes: [], sensitive: false, minEvidence: 0 });
    expect(catalog.segments.map((s) => s.id)).toEqual(['ctx', 'full']);
    expect([...catalog.reads.get('buy')!]).toEqual(['plan', 'n', 'tag']);
    expect([...catalog.reads.get('view')!]).toEqual([]);
    expect(catalog.has('full') && !catalog.has('nope')).toBe(true);
  });

  it('does not keep references to the input objects', () => {
    const rule = { event: 'view', count: { gte: 2 } };
    const catalog = compileSegments([{ id: 'a', description: 'A', rule }], { purposes: PURPOSES });
    rule.count.gte = 100;
    rule.event = 'click';
    expect(catalog.get('a')!.rule).toMatchObject({ event: 'view', count: { gte: 2 } });
  });
});

describe('compileSegments on hostile input', () => {
  const revoked = () => {
    const r = Proxy.revocable({}, {});
    r.revoke();
    return r.proxy;
  };
  const trap = (name: string) => new Proxy({ event: 'x' }, { [name]: () => { throw new Error('trap'); } });
  it.each<[string, unknown, string]>([
    ['revoked proxy as a rule', [seg(revoked())], 'segments[0].rule: expected a plain object'],
    ['ownKeys trap on a rule', [seg(trap('ownKeys'))], 'segments[0].rule: could not be read'],
    ['get trap on a rule', [seg(trap('get'))], 'segments[0].rule.event: could not be read'],
    ['revoked proxy as purposes', [{ ...ok, purposes: revoked() }], 'segments[0].purposes: could not be read'],
  ])('%s', (_, input, message) => {
    expect(() => compileSegments(input, { purposes: PURPOSES })).toThrow(message);
  });

  it('accepts plain objects from another realm', () => {
    const input = runInNewContext('[{ id: "a", description: "A", rule: { all: [{ event: "v", where: { n: { gte: 1 } } }] } }]');
    expect(compileSegments(input, { purposes: PURPOSES }).get('a')!.rule).toMatchObject({ kind: 'all' });
  });

  it('throws nothing but CohortkitError invalid-options (property)', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBigInt: true, withMap: true, withDate: true }), (rule) => {
        try {
          compileSegments([seg(rule)], { purposes: PURPOSES });
        } catch (e) {
          expect(isCohortkitError(e) && (e as { code: string }).code).toBe('invalid-options');
        }
      }),
    );
  });
});

describe('parseDuration', () => {
  it.each([
    ['30m', 1_800_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
    ['1.5h', 5_400_000],
    ['0.5d', 43_200_000],
  ])('%s = %d ms', (s, ms) => expect(parseDuration(s)).toBe(ms));
  it.each(['0m', '0.0d', '-1d', '+1d', '1e3m', '.5h', '5.h', '1 d', '1s', '1w', '7D', 'd', '', 7, null, undefined])('rejects %s', (s) =>
    expect(parseDuration(s)).toBeUndefined(),
  );
});
