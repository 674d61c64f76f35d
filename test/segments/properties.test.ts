// Property tests (fast-check) for segment evaluation invariants.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSegments, evaluateAll, evaluateSegment, indexByEvent } from '../../src/segments';
import { DAY, makeInput, NOW, toRollups, type TestEvent } from './helpers';

const PURPOSES = ['personalization', 'measurement'];
const EVENTS = ['view', 'click', 'buy'];

const eventArb: fc.Arbitrary<TestEvent> = fc.record({
  event: fc.constantFrom(...EVENTS),
  at: fc.integer({ min: NOW - 40 * DAY, max: NOW + DAY }),
  props: fc.record({ plan: fc.constantFrom('free', 'pro'), n: fc.integer({ min: 0, max: 5 }) }, { requiredKeys: [] }),
});
const eventsArb = fc.array(eventArb, { maxLength: 40 });
const duration = fc.constantFrom('30m', '1h', '1d', '7d', '30d');
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const drop = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const eventRule = fc
  .record({
    event: fc.constantFrom(...EVENTS),
    where: opt(fc.constantFrom({ plan: 'pro' }, { n: { gte: 2 } }, { plan: { in: ['free', 'pro'] } })),
    count: opt(fc.constantFrom({ gte: 1 }, { gte: 3 }, { lte: 1 }, { gte: 1, lte: 4 })),
    within: opt(duration),
    lastSeen: opt(fc.oneof(duration.map((d) => ({ within: d })), duration.map((d) => ({ olderThan: d })))),
    firstSeen: opt(duration.map((d) => ({ olderThan: d }))),
  })
  .map(drop);
const contextRule = fc.oneof(
  fc.record({ context: fc.constant('device'), in: fc.subarray(['mobile', 'tablet', 'desktop'], { minLength: 1 }) }),
  fc.record({ context: fc.constant('language'), in: fc.subarray(['en', 'en-us', 'de'], { minLength: 1 }) }),
  fc.record({ context: fc.constant('hour'), in: fc.subarray([0, 8, 12, 18, 23], { minLength: 1 }) }),
);
const { rule: ruleArb } = fc.letrec<{ rule: unknown }>((tie) => ({
  rule: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    eventRule,
    contextRule,
    fc.record({ all: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('rule') }),
  ),
}));
const contextArb = fc.record({
  device: fc.constantFrom('mobile', 'tablet', 'desktop'),
  language: fc.constantFrom('en', 'en-us', 'en-gb', 'de-de', 'fr'),
  hour: fc.integer({ min: 0, max: 23 }),
});
const nowArb = fc.integer({ min: NOW - 10 * DAY, max: NOW + 10 * DAY });

describe('segment evaluation properties', () => {
  it('is deterministic and independent of rollup order', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 4 }), eventsArb, contextArb, nowArb, (rules, events, context, now) => {
        const catalog = compileSegments(
          rules.map((rule, i) => ({ id: `s${i}`, description: 'x', rule, minEvidence: i })),
          { purposes: PURPOSES },
        );
        const rollups = toRollups(events);
        const first = evaluateAll(catalog, makeInput(rollups, now, PURPOSES, context));
        const again = evaluateAll(catalog, makeInput(rollups, now, PURPOSES, context));
        const reversed = evaluateAll(catalog, makeInput([...rollups].reverse(), now, PURPOSES, context));
        expect(again).toEqual(first);
        expect(reversed).toEqual(first);
      }),
      { numRuns: 150 },
    );
  });

  it('rollups indexed by event give the same explanations as the plain list', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 4 }), eventsArb, contextArb, nowArb, (rules, events, context, now) => {
        const catalog = compileSegments(
          rules.map((rule, i) => ({ id: `s${i}`, description: 'x', rule, minEvidence: i })),
          { purposes: PURPOSES },
        );
        const input = makeInput(toRollups(events), now, PURPOSES, context);
        const indexed = evaluateAll(catalog, { ...input, byEvent: indexByEvent(input.rollups) });
        expect(indexed).toEqual(evaluateAll(catalog, input));
      }),
      { numRuns: 150 },
    );
  });

  it('a lite evaluation (a commit reads only membership) gives the full one\'s member, reason and purposes, describing nothing', () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { minLength: 1, maxLength: 4 }),
        eventsArb,
        contextArb,
        nowArb,
        fc.subarray(PURPOSES),
        (rules, events, context, now, granted) => {
          // each segment may reference the ones before it, so lite references are walked too
          const catalog = compileSegments(
            rules.map((rule, i) => ({ id: `s${i}`, description: 'x', rule: i ? { any: [rule, { segment: `s${i - 1}` }] } : rule, minEvidence: i, purposes: [PURPOSES[i % 2]!] })),
            { purposes: PURPOSES },
          );
          const input = { ...makeInput(toRollups(events), now, PURPOSES, context), isGranted: (p: string) => granted.includes(p) };
          const full = evaluateAll(catalog, input);
          const cache = new Map();
          for (const s of catalog.segments) {
            const lite = evaluateSegment(catalog, s.id, input, cache, true);
            const { member, reason, purposes } = full.get(s.id)!;
            expect(lite).toEqual({ segment: s.id, member, reason, purposes, conditions: [], signals: [] });
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('`not` inverts membership when consent is granted and minEvidence is 0', () => {
    fc.assert(
      fc.property(ruleArb, eventsArb, contextArb, nowArb, (rule, events, context, now) => {
        const catalog = compileSegments(
          [
            { id: 'r', description: 'rule', rule },
            { id: 'n', description: 'not rule', rule: { not: rule } },
          ],
          { purposes: PURPOSES },
        );
        const input = makeInput(toRollups(events), now, PURPOSES, context);
        const r = evaluateSegment(catalog, 'r', input);
        const n = evaluateSegment(catalog, 'n', input);
        expect(n.member).toBe(!r.member);
        // the same leaves are checked, with the same outcomes, under `not`
        expect(n.conditions.map((c) => [c.path.replace('rule.not', 'rule'), c.passed])).toEqual(r.conditions.map((c) => [c.path, c.passed]));
      }),
      { numRuns: 300 },
    );
  });

  it('adding a matching event never decreases a count condition’s observed count', () => {
    // Events arrive in time order (track records them at the current time), so the new event is the
    // latest one and the clock has not gone back. Out-of-order inserts can lower a windowed count: older
    // events beyond MAX_TIMES are assumed to have happened at `first` (see SignalRollup).
    const rule = fc
      .record({
        event: fc.constant('view'),
        where: opt(fc.constant({ plan: 'pro' })),
        count: fc.record({ gte: fc.integer({ min: 0, max: 80 }) }),
        within: opt(fc.constantFrom('30m', '2h', '6h', '1d')),
      })
      .map(drop);
    const last = NOW - 3_600_000;
    // many events on few days, so rollups exceed MAX_TIMES and implicit events at `first` are exercised
    const dense: fc.Arbitrary<TestEvent[]> = fc.array(
      fc.record({
        event: fc.constant('view'),
        at: fc.integer({ min: NOW - DAY, max: last }),
        props: fc.constantFrom<Record<string, string>>({}, { plan: 'pro' }),
      }),
      { minLength: 100, maxLength: 300, size: 'max' },
    );
    const tail = fc.tuple(fc.integer({ min: 0, max: 2 * DAY }), fc.integer({ min: 0, max: 2 * DAY }));
    fc.assert(
      fc.property(rule, dense, tail, (rule, events, [d1, d2]) => {
        const at = last + Math.min(d1, d2);
        const now = last + Math.max(d1, d2);
        const catalog = compileSegments([{ id: 'a', description: 'a', rule }], { purposes: PURPOSES });
        const observed = (evs: TestEvent[]) => {
          const e = evaluateSegment(catalog, 'a', makeInput(toRollups(evs), now, PURPOSES));
          return e.conditions.find((c) => c.path === 'rule.count')!.observed as number;
        };
        const before = observed(events);
        const after = observed([...events, { event: 'view', at, props: { plan: 'pro' } }]);
        expect(after).toBeGreaterThanOrEqual(before);
        expect(after - before).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });

  it('without a window, count is exact whatever the order of arrival', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: NOW - 2 * DAY, max: NOW }), { maxLength: 300, size: 'max' }), (times) => {
        const catalog = compileSegments([{ id: 'a', description: 'a', rule: { event: 'view' } }], { purposes: PURPOSES });
        const e = evaluateSegment(catalog, 'a', makeInput(toRollups(times.map((at) => ({ event: 'view', at }))), NOW, PURPOSES));
        expect(e.conditions[0].observed).toBe(times.length);
        expect(e.signals).toEqual([times.length ? { event: 'view', count: times.length, lastSeen: Math.max(...times) } : { event: 'view', count: 0 }]);
      }),
      { numRuns: 100 },
    );
  });

  it('without consent for an effective purpose nothing is evaluated', () => {
    fc.assert(
      fc.property(ruleArb, eventsArb, fc.subarray(PURPOSES, { maxLength: 1 }), (rule, events, granted) => {
        const catalog = compileSegments([{ id: 'a', description: 'a', purposes: PURPOSES, rule }], { purposes: PURPOSES });
        const e = evaluateSegment(catalog, 'a', makeInput(toRollups(events), NOW, granted));
        expect(e).toEqual({ segment: 'a', member: false, reason: 'no-consent', conditions: [], signals: [], purposes: PURPOSES });
      }),
      { numRuns: 100 },
    );
  });

  it('language tags match the same whatever their case, in the definition or from the browser', () => {
    const TAGS = ['en', 'en-us', 'en-gb', 'de', 'de-de', 'pt-br', 'zh-hant-tw', 'fr'];
    /** The tag with each letter's case flipped where the mask says so. */
    const recase = (tag: string, mask: boolean[]) => [...tag].map((ch, i) => (mask[i % mask.length] ? ch.toUpperCase() : ch)).join('');
    const maskArb = fc.array(fc.boolean(), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(
        fc.subarray(TAGS, { minLength: 1 }),
        fc.array(maskArb, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(...TAGS),
        maskArb,
        (tags, masks, visitor, vmask) => {
          const eval_ = (inTags: string[], language: string) => {
            const catalog = compileSegments([{ id: 'a', description: 'a', purposes: [], rule: { context: 'language', in: inTags } }], { purposes: PURPOSES });
            return evaluateSegment(catalog, 'a', makeInput([], NOW, PURPOSES, { language }));
          };
          const plain = eval_(tags, visitor);
          const cased = eval_(tags.map((t, i) => recase(t, masks[i % masks.length])), recase(visitor, vmask));
          expect(cased).toEqual(plain);
          // full tag or primary subtag, as specified
          expect(plain.member).toBe(tags.includes(visitor) || tags.includes(visitor.split('-')[0]));
          expect(plain.conditions[0]).toMatchObject({ observed: visitor, expected: tags });
        },
      ),
      { numRuns: 300 },
    );
  });
});
