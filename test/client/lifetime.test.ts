// Lifetime privacy budget (API.md v1.1, report.lifetimeBudget): the ε ever spent per space on fresh
// draws, persisted in the meta store; memoized repeats cost nothing. Real clients on fake-indexeddb,
// real track()/flush(), reports captured at a fake collector.
import { installSerialLocks } from '../helpers';
import fc from 'fast-check';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, isCohortkitError } from '../../src/index';
import type { Client, ClientOptions, CohortSpace, LDPReport, SegmentDefinition } from '../../src/types';
import { clock } from '../helpers';
import { collectorFetch, inject, watchPage } from './fault-helpers';

const DAY = 86_400_000;
let n = 0;
const ns = () => `life${Date.now().toString(36)}${n++}`;
const segments: SegmentDefinition[] = [
  { id: 'reader', description: 'reads', rule: { event: 'article_view' } },
  { id: 'buyer', description: 'buys', rule: { event: 'purchase' } },
];
const lifecycle: CohortSpace = {
  id: 'lifecycle',
  description: 'who',
  cohorts: [{ id: 'buyers', segment: 'buyer' }, { id: 'readers', segment: 'reader' }],
  fallback: 'others',
};
const buying: CohortSpace = { id: 'buying', description: 'buys or not', cohorts: [{ id: 'buyers', segment: 'buyer' }], fallback: 'none' };

let clients: Client[] = [];
const origFetch = globalThis.fetch;
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  globalThis.fetch = origFetch;
});
function collector() {
  const f = collectorFetch();
  globalThis.fetch = f as never;
  return { f, reports: () => f.reports() as unknown as LDPReport[] };
}
async function client(o: Partial<ClientOptions> & { lifetimeBudget?: number; epsilon?: number } = {}) {
  const { lifetimeBudget, epsilon = 1, ...rest } = o;
  const c = await createClient({
    namespace: ns(),
    segments,
    cohorts: [lifecycle, buying],
    report: { endpoint: 'https://collector.example/r', epsilon, ...(lifetimeBudget === undefined ? {} : { lifetimeBudget }) },
    ...rest,
  });
  clients.push(c);
  return c;
}
const grant = (c: Client) => c.consent.update({ personalization: true, measurement: true });
const lifetime = async (c: Client) => (await c.exportData()).privacy.lifetime;
/** The randomized part of a wire report with its space (everything but id and epoch). */
const drawOf = (r: LDPReport) => {
  const { id: _i, epoch: _e, v: _v, ...rest } = r as LDPReport & Record<string, unknown>;
  return JSON.stringify(rest);
};
const sent = (reports: LDPReport[], space: string) => reports.filter((r) => r.space === space);

describe('report.lifetimeBudget: accounting', () => {
  it('fresh draws count, memoized repeats across epochs do not', async () => {
    const { reports } = collector();
    const now = clock();
    const c = await client({ now, lifetimeBudget: 5 });
    await grant(c);
    await c.flush();
    expect(await lifetime(c)).toEqual({ spent: 2, bySpace: { lifecycle: 1, buying: 1 }, budget: 5, exhausted: [] });
    for (let d = 0; d < 4; d++) {
      now.advance(DAY);
      expect((await c.flush()).sent).toBe(2);
    }
    expect(sent(reports(), 'lifecycle')).toHaveLength(5);
    expect(new Set(sent(reports(), 'lifecycle').map(drawOf)).size).toBe(1);
    expect(await lifetime(c)).toMatchObject({ spent: 2, bySpace: { lifecycle: 1, buying: 1 } });
  });

  it('a cohort change costs a fresh draw; moving back to a memoized cohort does not', async () => {
    collector();
    const now = clock();
    const c = await client({ now, cohorts: [lifecycle], lifetimeBudget: 10, epsilon: 0.5 });
    await grant(c);
    await c.flush(); // others
    expect((await lifetime(c)).bySpace).toEqual({ lifecycle: 0.5 });
    await c.track('article_view');
    now.advance(DAY);
    await c.flush(); // readers
    expect((await lifetime(c)).bySpace).toEqual({ lifecycle: 1 });
    // Withdrawing personalization purges the signals: back to 'others', whose memo is kept.
    await c.consent.update({ personalization: false });
    now.advance(DAY);
    expect((await c.flush()).sent).toBe(0); // lifecycle relies on personalization (its segments)
    await c.consent.update({ personalization: true });
    now.advance(DAY);
    expect((await c.flush()).sent).toBe(1);
    expect((await lifetime(c)).bySpace).toEqual({ lifecycle: 1 });
  });

  it('without a cap, spending is still accounted and nothing is exhausted', async () => {
    collector();
    const c = await client();
    await grant(c);
    await c.flush();
    expect(await lifetime(c)).toEqual({ spent: 2, bySpace: { lifecycle: 1, buying: 1 }, budget: null, exhausted: [] });
  });

  it('withdrawing measurement deletes the memos but not the accountant: the redraw counts', async () => {
    collector();
    const now = clock();
    const c = await client({ now, cohorts: [lifecycle], lifetimeBudget: 10 });
    await grant(c);
    await c.flush();
    await c.consent.update({ measurement: false });
    await c.consent.update({ measurement: true });
    now.advance(DAY);
    await c.flush();
    expect((await lifetime(c)).bySpace).toEqual({ lifecycle: 2 });
  });
});

describe('report.lifetimeBudget: the cap', () => {
  it('a space whose next fresh draw would pass the cap is no longer reported; others are; repeats continue', async () => {
    const { reports } = collector();
    const now = clock();
    const c = await client({ now, lifetimeBudget: 2 });
    await grant(c);
    await c.flush(); // lifecycle: others (1), buying: none (1)
    await c.track('article_view');
    now.advance(DAY);
    await c.flush(); // lifecycle: readers (2), buying: none again (1)
    expect(await lifetime(c)).toEqual({ spent: 3, bySpace: { lifecycle: 2, buying: 1 }, budget: 2, exhausted: ['lifecycle'] });
    await c.track('purchase');
    now.advance(DAY);
    const before = reports().length;
    expect((await c.flush()).sent).toBe(1); // lifecycle: buyers needs a fresh draw past the cap; buying: buyers (2)
    expect(reports().slice(before).map((r) => r.space)).toEqual(['buying']);
    const x = await c.exportData();
    expect(x.privacy.lifetime).toEqual({ spent: 4, bySpace: { lifecycle: 2, buying: 2 }, budget: 2, exhausted: ['lifecycle', 'buying'] });
    expect(x.privacy.epochs.at(-1)).toMatchObject({ spent: 1, skipped: ['lifecycle'] });
    // Next epoch: buying repeats its memo (no new draw), lifecycle stays out.
    now.advance(DAY);
    const mid = reports().length;
    expect((await c.flush()).sent).toBe(1);
    const [last] = reports().slice(mid);
    expect(last!.space).toBe('buying');
    expect(drawOf(last!)).toBe(drawOf(reports()[mid - 1]!));
    expect((await lifetime(c)).spent).toBe(4);
  });

  it('applies to the built-in consent space: a consent change needs a fresh draw, past the cap it is not reported', async () => {
    const { reports } = collector();
    const now = clock();
    const c = await client({ now, cohorts: [], lifetimeBudget: 1, report: { endpoint: 'https://collector.example/r', lifetimeBudget: 1, consentRates: 'consented' } });
    await grant(c);
    expect((await c.flush()).sent).toBe(1);
    now.advance(DAY);
    expect((await c.flush()).sent).toBe(1); // same consent state: the memo repeats
    await c.consent.update({ personalization: false });
    now.advance(DAY);
    expect((await c.flush()).sent).toBe(0);
    expect(reports().map((r) => r.space)).toEqual(['consent', 'consent']);
    expect(await lifetime(c)).toEqual({ spent: 1, bySpace: { consent: 1 }, budget: 1, exhausted: ['consent'] });
  });

  it('a cap below ε reports nothing and lists every space as exhausted', async () => {
    const { reports } = collector();
    const c = await client({ lifetimeBudget: 0.5 });
    await grant(c);
    expect(await c.flush()).toEqual({ sent: 0, queued: 0 });
    expect(reports()).toEqual([]);
    expect(await lifetime(c)).toEqual({ spent: 0, bySpace: {}, budget: 0.5, exhausted: ['lifecycle', 'buying'] });
  });

  it('is persisted: a new client on the same namespace keeps the spending and the cap', async () => {
    const { reports } = collector();
    const now = clock();
    const namespace = ns();
    const a = await client({ namespace, now, cohorts: [lifecycle], lifetimeBudget: 1 });
    await grant(a);
    await a.flush();
    await a.close();
    const b = await client({ namespace, now, cohorts: [lifecycle], lifetimeBudget: 1 });
    expect(await lifetime(b)).toEqual({ spent: 1, bySpace: { lifecycle: 1 }, budget: 1, exhausted: ['lifecycle'] });
    await b.track('purchase');
    now.advance(DAY);
    expect((await b.flush()).sent).toBe(0);
    expect(reports()).toHaveLength(1);
  });

  it('forget() deletes the accountant with everything else: spending starts again from 0', async () => {
    collector();
    const now = clock();
    const c = await client({ now, cohorts: [lifecycle], lifetimeBudget: 1 });
    await grant(c);
    await c.flush();
    expect((await lifetime(c)).exhausted).toEqual(['lifecycle']);
    await c.forget();
    expect(await lifetime(c)).toEqual({ spent: 0, bySpace: {}, budget: 1, exhausted: [] });
    await grant(c);
    now.advance(DAY);
    expect((await c.flush()).sent).toBe(1);
    expect((await lifetime(c)).bySpace).toEqual({ lifecycle: 1 });
  });

  it('two tabs (serialized by Web Locks) never both spend past the cap', async () => {
    const { reports } = collector();
    const { held, restore } = installSerialLocks();
    try {
      const now = clock();
      const namespace = ns();
      const a = await client({ namespace, now, cohorts: [lifecycle], lifetimeBudget: 1 });
      const b = await client({ namespace, now, cohorts: [lifecycle], lifetimeBudget: 1 });
      await grant(a);
      await grant(b);
      await Promise.all([a.flush(), b.flush(), a.flush(), b.flush()]);
      // One draw, one report id (both tabs may deliver the queued copy: same id, at-least-once).
      expect(new Set(reports().map((r) => r.id)).size).toBe(1);
      expect(new Set(reports().map(drawOf)).size).toBe(1);
      expect(held.size).toBe(1); // the lock was really taken
      expect(await lifetime(b)).toMatchObject({ spent: 1, exhausted: ['lifecycle'] });
    } finally {
      restore();
    }
  });
});

describe('report.lifetimeBudget: faults and hostile values', () => {
  it('a refused write neither loses nor double-counts: the draft is redrawn and counted once', async () => {
    const page = watchPage();
    const { reports } = collector();
    const c = await client({ cohorts: [lifecycle], lifetimeBudget: 5 });
    await grant(c);
    const fault = inject('quota');
    try {
      expect((await c.flush()).sent).toBe(0);
    } finally {
      fault.restore();
    }
    expect((await lifetime(c)).spent).toBe(0);
    expect((await c.flush()).sent).toBe(1);
    expect(reports()).toHaveLength(1);
    expect(await lifetime(c)).toMatchObject({ spent: 1, bySpace: { lifecycle: 1 } });
    await page.check();
  });

  it.each([0, -1, NaN, Infinity, -Infinity, '1', 1e309, null, {}, [2]])('rejects lifetimeBudget %s with invalid-options naming it', async (bad) => {
    const e = await createClient({
      namespace: ns(),
      segments,
      cohorts: [lifecycle],
      report: { endpoint: 'https://collector.example/r', lifetimeBudget: bad as number },
    }).catch((x: unknown) => x);
    expect(isCohortkitError(e) && e.code).toBe('invalid-options');
    expect(String((e as Error).message)).toContain('report.lifetimeBudget');
  });

  it.each([
    ['a string record', 'spent', { spent: 0, bySpace: {}, exhausted: [] }],
    ['a negative entry', { lifecycle: -5 }, { spent: 1, bySpace: { lifecycle: 1 }, exhausted: ['lifecycle'] }],
    ['a non-number entry', { lifecycle: 'x' }, { spent: 1, bySpace: { lifecycle: 1 }, exhausted: ['lifecycle'] }],
  ])('a stored accountant edited by another script (%s) fails closed', async (_, stored, expected) => {
    collector();
    const namespace = ns();
    const a = await client({ namespace, cohorts: [lifecycle], lifetimeBudget: 1 });
    await a.close();
    const db = await openDB(`cohortkit:${namespace}`);
    await db.put('meta', stored, 'privacy:lifetime');
    db.close();
    const b = await client({ namespace, cohorts: [lifecycle], lifetimeBudget: 1 });
    expect(await lifetime(b)).toMatchObject(expected);
    await grant(b);
    expect((await b.flush()).sent).toBe(expected.exhausted.length ? 0 : 1);
  });
});

describe('report.lifetimeBudget: invariant (fast-check)', () => {
  type Step = { kind: 'track'; event: string } | { kind: 'advance'; days: number } | { kind: 'flush' } | { kind: 'consent'; purpose: string; granted: boolean };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('track' as const), event: fc.constantFrom('purchase', 'article_view') }),
    fc.record({ kind: fc.constant('advance' as const), days: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('flush' as const) }),
    fc.record({ kind: fc.constant('consent' as const), purpose: fc.constantFrom('personalization', 'measurement'), granted: fc.boolean() }),
  );

  it('over any sequence of track/advance/flush/consent, Σ ε of distinct draws sent per space ≤ lifetimeBudget', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 14 }),
        fc.constantFrom(0.5, 1),
        fc.constantFrom(0.5, 1, 1.5, 2, 3),
        async (steps, epsilon, lifetimeBudget) => {
          const { reports } = collector();
          const now = clock();
          const c = await client({ now, epsilon, lifetimeBudget });
          await grant(c);
          for (const s of steps) {
            if (s.kind === 'track') await c.track(s.event);
            else if (s.kind === 'advance') now.advance(s.days * DAY);
            else if (s.kind === 'flush') await c.flush();
            else await c.consent.update({ [s.purpose]: s.granted });
          }
          await c.flush();
          const life = await lifetime(c);
          for (const space of ['lifecycle', 'buying']) {
            const distinct = new Set(sent(reports(), space).map(drawOf)).size;
            expect(distinct * epsilon).toBeLessThanOrEqual(lifetimeBudget * (1 + 1e-9));
            // Every distinct value sent was a fresh draw the accountant counted.
            expect(life.bySpace[space] ?? 0).toBeGreaterThanOrEqual(distinct * epsilon - 1e-9);
            expect(life.bySpace[space] ?? 0).toBeLessThanOrEqual(lifetimeBudget * (1 + 1e-9));
          }
          await c.close();
          clients = clients.filter((x) => x !== c);
        },
      ),
      { numRuns: 30 },
    );
  }, 60_000);
});
