// nextChange (what lets segments() serve the evaluated state): the explanation evaluated at
// `now` holds, unchanged, at every instant before nextChange; and, through a real client, the
// incremental segments()/explain() equal a full evaluation from scratch at every step.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index';
import { compileSegments, evaluateAll, evaluateSegment, nextChange } from '../../src/segments';
import type { SignalRollup } from '../../src/segments';
import type { SegmentDefinition } from '../../src/types';
import { DAY, makeInput, NOW, toRollups, type TestEvent } from './helpers';

const PURPOSES = ['personalization'];
const EVENTS = ['view', 'click', 'buy'];
const duration = fc.constantFrom('30m', '1h', '1d', '7d', '30d');
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const drop = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const eventRule = fc
  .record({
    event: fc.constantFrom(...EVENTS),
    where: opt(fc.constantFrom({ plan: 'pro' }, { plan: { in: ['free', 'pro'] } })),
    count: opt(fc.constantFrom({ gte: 1 }, { gte: 3 }, { lte: 1 }, { gte: 1, lte: 4 })),
    within: opt(duration),
    lastSeen: opt(fc.oneof(duration.map((d) => ({ within: d })), duration.map((d) => ({ olderThan: d })))),
    firstSeen: opt(duration.map((d) => ({ olderThan: d }))),
  })
  .map(drop);
const { rule: ruleArb } = fc.letrec<{ rule: unknown }>((tie) => ({
  rule: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    eventRule,
    fc.record({ all: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('rule') }),
  ),
}));
/** Segments s0…sn, each later one possibly referencing an earlier one. */
const segmentsArb = fc.array(fc.tuple(ruleArb, fc.boolean(), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 5 }).map((xs) =>
  xs.map(([rule, ref, minEvidence], i) => ({
    id: `s${i}`,
    description: 'x',
    minEvidence,
    rule: ref && i > 0 ? { any: [rule, { segment: `s${i - 1}` }] } : rule,
  })),
);
const eventArb: fc.Arbitrary<TestEvent> = fc.record({
  event: fc.constantFrom(...EVENTS),
  at: fc.integer({ min: NOW - 40 * DAY, max: NOW + DAY }),
  props: fc.record({ plan: fc.constantFrom('free', 'pro') }, { requiredKeys: [] }),
});

describe('nextChange', () => {
  it('the explanation at now holds at every instant before nextChange, and nextChange is never before now', () => {
    fc.assert(
      fc.property(segmentsArb, fc.array(eventArb, { maxLength: 40 }), fc.integer({ min: NOW - 10 * DAY, max: NOW + 10 * DAY }), fc.double({ min: 0, max: 1, noNaN: true }), (defs, events, now, f) => {
        const catalog = compileSegments(defs, { purposes: PURPOSES });
        const rollups: SignalRollup[] = toRollups(events);
        for (const s of catalog.segments) {
          const at = makeInput(rollups, now, PURPOSES);
          const next = nextChange(catalog, s.id, at);
          expect(next).toBeGreaterThanOrEqual(now);
          const before = evaluateSegment(catalog, s.id, at);
          // Just before the change, and somewhere in between (capped for the time-independent).
          const end = Number.isFinite(next) ? next : now + 60 * DAY;
          for (const later of [now + (end - now) * f, end - 1e-3].filter((t) => t >= now && t < end))
            expect(evaluateSegment(catalog, s.id, makeInput(rollups, later, PURPOSES))).toEqual(before);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a segment reading the visitor context is always re-evaluated (nextChange = now)', () => {
    const catalog = compileSegments(
      [
        { id: 'c', description: 'x', rule: { context: 'hour', in: [12] } },
        { id: 'r', description: 'x', rule: { all: [{ event: 'view' }, { segment: 'c' }] } },
      ],
      { purposes: PURPOSES },
    );
    const input = makeInput(toRollups([{ event: 'view', at: NOW - DAY }]), NOW, PURPOSES);
    expect(nextChange(catalog, 'c', input)).toBe(NOW);
    expect(nextChange(catalog, 'r', input)).toBe(NOW);
  });
});

describe('segments() serves the evaluated state: incremental equals from scratch (real client, now clock)', () => {
  const step = fc.oneof(
    fc.record({ kind: fc.constant('track' as const), event: fc.constantFrom(...EVENTS), plan: fc.constantFrom('free', 'pro'), dt: fc.integer({ min: 0, max: 2 * DAY }) }),
    fc.record({ kind: fc.constant('read' as const), dt: fc.oneof(fc.integer({ min: 0, max: 3_600_000 }), fc.integer({ min: 0, max: 8 * DAY })) }),
  );
  it('for random tracks and reads over moving time', async () => {
    let k = 0;
    await fc.assert(
      fc.asyncProperty(segmentsArb, fc.array(step, { minLength: 1, maxLength: 25 }), async (defs, steps) => {
        let now = NOW;
        const c = await createClient({ storage: 'memory', segments: defs as SegmentDefinition[], namespace: `nc${k++}`, now: () => now });
        await c.consent.update({ personalization: true });
        const catalog = compileSegments(defs, { purposes: PURPOSES });
        const fresh = async () => {
          const rollups = ((await c.exportData()).signals as Array<SignalRollup & { expiresAt: number }>).filter((s) => s.expiresAt > now);
          return evaluateAll(catalog, makeInput(rollups, now, PURPOSES));
        };
        for (const s of steps) {
          now += s.dt;
          if (s.kind === 'track') await c.track(s.event, { plan: s.plan });
          const got = await c.segments();
          const want = await fresh();
          expect(got.map((m) => m.id)).toEqual(catalog.segments.filter((x) => want.get(x.id)!.member).map((x) => x.id));
          for (const m of got) expect(m.explanation).toEqual(want.get(m.id));
          for (const x of catalog.segments) expect(await c.explain(x.id)).toEqual(want.get(x.id));
        }
        await c.close();
      }),
      { numRuns: 60 },
    );
  });

  it('a window that expires between two reads drops the membership, with no track in between', async () => {
    let now = NOW;
    const c = await createClient({
      storage: 'memory',
      namespace: 'nc-window',
      now: () => now,
      segments: [{ id: 'recent', description: 'x', rule: { event: 'view', count: { gte: 2 }, within: '1d' } }],
    });
    await c.consent.update({ personalization: true });
    await c.track('view');
    now += 3_600_000;
    await c.track('view');
    expect((await c.segments()).map((m) => m.id)).toEqual(['recent']);
    now = NOW + DAY - 1; // the first view is still inside the window
    expect((await c.segments()).map((m) => m.id)).toEqual(['recent']);
    now = NOW + DAY; // …and now it is not
    expect(await c.segments()).toEqual([]);
    expect((await c.explain('recent')).conditions[0]).toMatchObject({ passed: false, observed: 1 });
    const mutated = await c.explain('recent');
    mutated.conditions.length = 0; // the page may change what it gets; the state is not shared
    expect((await c.explain('recent')).conditions).toHaveLength(1);
    await c.close();
  });
});
