import fc from 'fast-check';
import { openDB } from 'idb';
import { describe, expect, it, vi } from 'vitest';
import { createClient, isCohortkitError } from '../../src/index';
import type { ClientOptions, SegmentDefinition } from '../../src/types';
import { clock } from '../helpers';

const DAY = 86_400_000;
let n = 0;
const ns = () => `sig${n++}`;

const reader: SegmentDefinition = {
  id: 'reader',
  description: 'Read three articles in a week',
  rule: { event: 'article_view', where: { category: 'news' }, count: { gte: 3 }, within: '7d' },
};
const buyer: SegmentDefinition = {
  id: 'buyer',
  description: 'Bought something (measurement too)',
  purposes: ['personalization', 'measurement'],
  rule: { event: 'purchase' },
};
const audience: SegmentDefinition = {
  id: 'audience',
  description: 'Counted buyers (measurement only)',
  purposes: ['measurement'],
  rule: { event: 'purchase', count: { gte: 2 } },
};
const base = (extra: Partial<ClientOptions> = {}): ClientOptions => ({ segments: [reader, buyer], namespace: ns(), ...extra });

/** Every record in every store of the client's database. */
async function dump(namespace: string) {
  const db = await openDB(`cohortkit:${namespace}`);
  const out: Record<string, unknown[]> = {};
  for (const name of db.objectStoreNames) out[name] = await db.getAll(name);
  db.close();
  return out;
}

describe('track', () => {
  it('stores only with consent, only referenced events and props, and says why', async () => {
    const opts = base();
    const c = await createClient(opts);
    expect(await c.track('article_view', { category: 'news' })).toEqual({ stored: false, reason: 'no-consent' });
    await c.consent.update({ personalization: true });
    expect(await c.track('page_view', { path: '/x' })).toEqual({ stored: false, reason: 'unreferenced' });
    expect(await c.track('article_view', { category: 'news', author: 'jane', secret: 'x' })).toEqual({ stored: true, reason: 'stored' });
    const d = await dump(opts.namespace!);
    expect(d.signals).toHaveLength(1);
    expect(d.signals![0]).toMatchObject({ event: 'article_view', props: { category: 'news' }, count: 1, purposes: ['personalization'] });
    expect(JSON.stringify(d)).not.toContain('page_view');
    expect(JSON.stringify(d)).not.toContain('jane');
  });

  it('a segment needing measurement too stores its event only when both are granted', async () => {
    const c = await createClient(base());
    await c.consent.update({ personalization: true });
    expect((await c.track('purchase')).reason).toBe('no-consent');
    await c.consent.update({ measurement: true });
    expect((await c.track('purchase')).reason).toBe('stored');
  });

  it.each([
    ['', undefined, 'event'],
    [42, undefined, 'event'],
    ['bad name!', undefined, 'event'],
    ['ok', [], 'props'],
    ['ok', { a: null }, 'props.a'],
    ['ok', { a: NaN }, 'props.a'],
    ['ok', { a: { b: 1 } }, 'props.a'],
    ['ok', { a: 'x'.repeat(257) }, 'props.a'],
  ])('rejects track(%j, %j) with invalid-argument naming %s, even without consent', async (event, props, path) => {
    const c = await createClient(base());
    let threw = false;
    let p: Promise<unknown>;
    try {
      p = c.track(event as never, props as never);
    } catch {
      threw = true;
      p = Promise.resolve();
    }
    expect(threw).toBe(false);
    const err = (await p.catch((e) => e)) as { code: string; message: string };
    expect(isCohortkitError(err)).toBe(true);
    expect(err.code).toBe('invalid-argument');
    expect(err.message.startsWith(path)).toBe(true);
  });

  it('suppresses duplicates within 1 s and rate-limits past 60 a minute', async () => {
    const now = clock();
    const c = await createClient(base({ now }));
    await c.consent.update({ personalization: true });
    expect((await c.track('article_view', { category: 'news' })).reason).toBe('stored');
    now.advance(500);
    expect((await c.track('article_view', { category: 'news' })).reason).toBe('duplicate');
    now.advance(501);
    expect((await c.track('article_view', { category: 'news' })).reason).toBe('stored');
    const reasons: string[] = [];
    for (let i = 0; i < 70; i++) {
      now.advance(10);
      reasons.push((await c.track('article_view', { category: i % 2 ? 'news' : 'sport' })).reason);
    }
    expect(reasons.filter((r) => r === "stored"), reasons.join()).toHaveLength(58);
    // past the cap nothing is stored; a repeat of the last stored props still reads as a duplicate
    expect(new Set(reasons.slice(58))).toEqual(new Set(['rate-limited', 'duplicate']));
    expect(reasons.slice(58).filter((r) => r === 'rate-limited')).toHaveLength(6);
  });

  it('retention: expired signals are gone at the next start, and membership lapses', async () => {
    const now = clock();
    const namespace = ns();
    const c = await createClient({ segments: [reader], namespace, now, retentionDays: 2 });
    await c.consent.update({ personalization: true });
    for (let i = 0; i < 3; i++) (await c.track('article_view', { category: 'news' }), now.advance(2000));
    expect((await c.segments()).map((m) => m.id)).toEqual(['reader']);
    await c.close();
    now.advance(3 * DAY);
    const again = await createClient({ segments: [reader], namespace, now, retentionDays: 2 });
    expect((await dump(namespace)).signals).toEqual([]);
    expect(await again.segments()).toEqual([]);
  });

  it('retention in one long session follows the client clock: a track past the window deletes the expired signals (no restart, no wall-time timer)', async () => {
    const now = clock();
    const namespace = ns();
    const c = await createClient({ segments: [reader, { id: 'buyer', description: 'buys', rule: { event: 'purchase' } }], namespace, now, retentionDays: 2 });
    await c.consent.update({ personalization: true });
    await c.track('article_view', { category: 'news' });
    now.advance(30 * 60_000); // within the hour since the start's sweep: no new sweep
    expect(await c.track('purchase')).toEqual({ stored: true, reason: 'stored' });
    now.advance(3 * DAY);
    const events = async () => ((await dump(namespace)).signals as Array<{ event: string }>).map((x) => x.event).sort();
    expect(await events()).toEqual(['article_view', 'purchase']); // nothing deletes them while nothing happens
    expect(await c.track('purchase')).toEqual({ stored: true, reason: 'stored' });
    await vi.waitFor(async () => expect(await events()).toEqual(['purchase']));
    expect(((await c.exportData()).signals as Array<{ event: string; count: number }>).map((x) => [x.event, x.count])).toEqual([['purchase', 1]]);
    await c.close();
  });

  it('a purpose with a shorter retentionDays wins', async () => {
    const now = clock();
    const namespace = ns();
    const c = await createClient({ purposes: [{ id: 'personalization', retentionDays: 1 }, 'measurement'], segments: [reader], namespace, now });
    await c.consent.update({ personalization: true });
    await c.track('article_view', { category: 'news' });
    const [s] = (await dump(namespace)).signals as Array<{ expiresAt: number }>;
    expect(s!.expiresAt).toBe(now() + DAY);
  });
});

describe('segments', () => {
  it('joins after three articles, explains why, fires on("segments") once, keeps since', async () => {
    const now = clock();
    const c = await createClient(base({ now }));
    await c.consent.update({ personalization: true });
    const fired: unknown[] = [];
    c.on('segments', (m) => fired.push(m));
    for (let i = 0; i < 2; i++) (await c.track('article_view', { category: 'news' }), now.advance(5000));
    expect(await c.segments()).toEqual([]);
    const joinedAt = now();
    await c.track('article_view', { category: 'news' });
    const [m] = await c.segments();
    expect(m).toMatchObject({ id: 'reader', version: 1, since: joinedAt });
    expect(m!.explanation.reason).toBe('match');
    now.advance(5000);
    await c.track('article_view', { category: 'news' });
    expect((await c.segments())[0]!.since).toBe(joinedAt);
    expect(fired).toHaveLength(1);
    const e = await c.explain('reader');
    expect(e).toMatchObject({ segment: 'reader', member: true, reason: 'match', purposes: ['personalization'] });
    expect(e.signals).toEqual([{ event: 'article_view', count: 4, lastSeen: now() }]);
    expect(e.conditions.find((x) => x.path === 'rule.count')).toMatchObject({ passed: true, observed: 4 });
  });

  it('explain says no-consent, unknown-segment', async () => {
    const c = await createClient(base());
    expect((await c.explain('reader')).reason).toBe('no-consent');
    expect((await c.explain('nope')).reason).toBe('unknown-segment');
  });

  it('memberships survive a restart; a new version resets since', async () => {
    const now = clock();
    const namespace = ns();
    const c = await createClient({ segments: [reader], namespace, now });
    await c.consent.update({ personalization: true });
    for (let i = 0; i < 3; i++) (await c.track('article_view', { category: 'news' }), now.advance(2000));
    const since = (await c.segments())[0]!.since;
    await c.close();
    now.advance(1000);
    const same = await createClient({ segments: [reader], namespace, now });
    expect((await same.segments())[0]!.since).toBe(since);
    await same.close();
    const v2 = await createClient({ segments: [{ ...reader, version: 2 }], namespace, now });
    const [m] = await v2.segments();
    expect(m).toMatchObject({ version: 2, since: now() });
  });

  it('invalid segments reject createClient with the path', async () => {
    const err = await createClient({
      segments: [reader, { id: 'x', description: 'd', rule: { all: [{ event: 'a' }, { event: 'b', within: '7 days' as never }] } }],
    }).catch((e) => e);
    expect(err.code).toBe('invalid-options');
    expect(err.message).toMatch(/^segments\[1\]\.rule\.all\[1\]\.within/);
  });
});

describe('withdrawal', () => {
  it('purges signals and memberships of the purpose before resolving, with a receipt', async () => {
    const opts = base();
    const c = await createClient(opts);
    await c.consent.update({ personalization: true, measurement: true });
    for (let i = 0; i < 3; i++) await c.track('article_view', { category: i === 1 ? 'news' : 'news', n: i } as never);
    await c.track('article_view', { category: 'news' });
    await c.track('purchase');
    expect((await c.segments()).length).toBeGreaterThan(0);
    await c.consent.update({ personalization: false });
    const d = await dump(opts.namespace!);
    expect(d.signals).toEqual([]);
    expect(d.memberships).toEqual([]);
    const last = (await c.consent.history()).at(-1)!;
    expect(last).toMatchObject({ purpose: 'personalization', granted: false });
    expect(last.purged!.signals).toBeGreaterThan(0);
    expect(last.purged!.memberships).toBe(2);
    expect(await c.segments()).toEqual([]);
    expect(await c.consent.verify()).toBe(true);
    const x = await c.exportData();
    expect(x.signals).toEqual([]);
  });

  it('withdrawing measurement keeps what personalization alone relies on', async () => {
    const opts = base();
    const c = await createClient(opts);
    await c.consent.update({ personalization: true, measurement: true });
    await c.track('article_view', { category: 'news' });
    await c.track('purchase');
    await c.consent.update({ measurement: false });
    const d = await dump(opts.namespace!);
    expect((d.signals as Array<{ event: string }>).map((s) => s.event)).toEqual(['article_view']);
  });
});

describe('privacy properties', () => {
  const ops = fc.array(
    fc.oneof(
      fc.record({ t: fc.constant('track' as const), event: fc.constantFrom('article_view', 'purchase', 'page_view'), cat: fc.constantFrom('news', 'sport') }),
      fc.record({ t: fc.constant('consent' as const), p: fc.constantFrom('personalization', 'measurement'), v: fc.boolean() }),
      fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3 * DAY }) }),
    ),
    { maxLength: 25 },
  );

  it('no consent ⇒ nothing stored in any store (whatever is tracked)', async () => {
    await fc.assert(
      fc.asyncProperty(ops, async (steps) => {
        const now = clock();
        const namespace = ns();
        const c = await createClient({ segments: [reader, buyer], namespace, now });
        for (const s of steps) {
          if (s.t === 'track') await c.track(s.event, { category: s.cat });
          else if (s.t === 'advance') now.advance(s.ms);
          else if (!s.v) await c.consent.update({ [s.p]: false });
        }
        const d = await dump(namespace);
        expect(d.signals).toEqual([]);
        expect(d.memberships).toEqual([]);
        expect(d.outbox).toEqual([]);
        await c.close();
      }),
      { numRuns: 25 },
    );
  });

  it('withdrawal ⇒ nothing that relied on the purpose remains, whatever came before', async () => {
    await fc.assert(
      fc.asyncProperty(ops, fc.constantFrom('personalization', 'measurement'), async (steps, withdrawn) => {
        const now = clock();
        const namespace = ns();
        const c = await createClient({ segments: [reader, buyer, audience], namespace, now });
        for (const s of steps) {
          if (s.t === 'track') await c.track(s.event, { category: s.cat });
          else if (s.t === 'advance') now.advance(s.ms);
          else await c.consent.update({ [s.p]: s.v });
        }
        await c.consent.update({ [withdrawn]: true });
        await c.track('purchase');
        await c.consent.update({ [withdrawn]: false });
        const d = await dump(namespace);
        const state = c.consent.get();
        for (const name of ['signals', 'memberships', 'outbox'])
          for (const r of d[name] ?? []) {
            const ps = (r as { purposes: string[] }).purposes;
            expect(ps).not.toContain(withdrawn);
            expect(ps.length).toBeGreaterThan(0); // every record has a basis…
            for (const p of ps) expect(state[p]).toBe('granted'); // …that still holds
          }
        // article_view is read only under personalization; purchase may remain under measurement alone
        if (withdrawn === 'personalization')
          expect((d.signals as Array<{ event: string }>).filter((x) => x.event === 'article_view')).toEqual([]);
        expect(await c.consent.verify()).toBe(true);
        await c.close();
      }),
      { numRuns: 25 },
    );
  });
});

describe('storage faults', () => {
  it('a quota error surfaces as CohortkitError storage and loses nothing already stored', async () => {
    const opts = base();
    const c = await createClient(opts);
    await c.consent.update({ personalization: true });
    await c.track('article_view', { category: 'news' });
    const before = await dump(opts.namespace!);
    const { vi } = await import('vitest');
    const spy = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    try {
      const err = await c.track('article_view', { category: 'news', n: 2 } as never).catch((e) => e);
      expect(isCohortkitError(err)).toBe(true);
      expect(err.code).toBe('storage');
      expect(err).not.toBeInstanceOf(DOMException);
    } finally {
      spy.mockRestore();
    }
    const after = await dump(opts.namespace!);
    expect(after.signals).toEqual(before.signals);
    expect(after.ledger).toEqual(before.ledger);
    // and the client keeps working once the fault clears
    expect((await c.track('article_view', { category: 'news', n: 3 } as never)).stored).toBe(true);
  });
});
