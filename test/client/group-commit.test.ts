// Group commit of track(): concurrent calls share one IndexedDB transaction, and each call's
// result is exactly what the same calls awaited one by one would give. Real clients on
// fake-indexeddb; transactions counted on IDBDatabase itself.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient, isCohortkitError } from '../../src/index';
import type { Client, ClientOptions, SegmentDefinition, TrackResult } from '../../src/types';
import { clock } from '../helpers';
import { dump, inject, watchPage } from './fault-helpers';

let n = 0;
const ns = () => `group${Date.now().toString(36)}${n++}`;
const segments: SegmentDefinition[] = [
  { id: 'reader', description: 'reads news twice', rule: { event: 'article_view', where: { category: 'news' }, count: { gte: 2 } } },
  { id: 'buyer', description: 'buys', rule: { event: 'purchase' } },
];
let clients: Client[] = [];
let restores: Array<() => void> = [];
afterEach(async () => {
  restores.forEach((r) => r());
  restores = [];
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
});
const client = async (extra: Partial<ClientOptions> = {}) => {
  const c = await createClient({ namespace: ns(), now: clock(), segments, ...extra });
  clients.push(c);
  await c.consent.update({ personalization: true });
  return c;
};
/** Read-write transactions on `signals`, counted from now on. */
function countWrites() {
  const orig = IDBDatabase.prototype.transaction;
  let writes = 0;
  const spy = vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...a: unknown[]) {
    const names = typeof a[0] === 'string' ? [a[0]] : [...(a[0] as string[])];
    if (a[1] === 'readwrite' && names.includes('signals')) writes++;
    return (orig as (...x: unknown[]) => IDBTransaction).apply(this, a);
  } as never);
  restores.push(() => spy.mockRestore());
  return () => writes;
}

// A mix that exercises every per-call verdict: duplicates (same props within 1 s), the rate
// limit (61st article_view within a minute), an unreferenced event, and joins of one rollup.
const calls: Array<[string, Record<string, string | number>]> = [
  ['article_view', { category: 'news' }],
  ['article_view', { category: 'news' }], // duplicate
  ['purchase', {}],
  ['newsletter_open', {}], // unreferenced
  ...Array.from({ length: 62 }, (_, i) => ['article_view', { category: i % 2 ? 'news' : 'sport', n: i }] as [string, Record<string, number | string>]),
  ['purchase', {}], // duplicate
];

describe('track() group commit', () => {
  it('N concurrent tracks: one signals transaction, each result what the same calls awaited one by one give', async () => {
    const watch = watchPage();
    const seq = await client();
    const expected: TrackResult[] = [];
    for (const [e, p] of calls) expected.push(await seq.track(e, p));
    // Sanity: the mix reaches every verdict.
    expect(new Set(expected.map((r) => r.reason))).toEqual(new Set(['stored', 'duplicate', 'rate-limited', 'unreferenced']));

    const namespace = ns();
    const c = await client({ namespace });
    const writes = countWrites();
    const got = await Promise.all(calls.map(([e, p]) => c.track(e, p)));
    expect(writes()).toBe(1);
    expect(got).toEqual(expected);
    // Resolved means durable: the store holds what the sequential client stored.
    const strip = (xs: unknown[]) => (xs as Array<{ event: string; count: number; times: number[] }>).map((s) => [s.event, s.count, s.times]).sort();
    const seqSignals = (await seq.exportData()).signals;
    expect(seqSignals.length).toBeGreaterThan(1);
    expect(strip((await dump(namespace)).signals!)).toEqual(strip(seqSignals));
    expect(strip((await c.exportData()).signals)).toEqual(strip(seqSignals));
    expect((await dump(namespace)).memberships!.map((m) => (m as { id: string }).id).sort()).toEqual(['buyer', 'reader']);
    expect((await c.segments()).map((m) => m.id)).toEqual((await seq.segments()).map((m) => m.id));
    await watch.check();
  });

  it('tracks arriving while a batch commits form the next batch: two transactions, not one per call', async () => {
    const c = await client();
    const writes = countWrites();
    const first = Array.from({ length: 5 }, (_, i) => c.track('article_view', { category: 'news', n: i }));
    await Promise.resolve(); // the first batch is queued, not yet committed
    const second = Array.from({ length: 5 }, (_, i) => c.track('article_view', { category: 'sport', n: i }));
    const all = await Promise.all([...first, ...second]);
    expect(all.every((r) => r.stored)).toBe(true);
    expect(writes()).toBeLessThanOrEqual(2);
    expect(((await c.exportData()).signals as Array<{ count: number }>).map((s) => s.count).sort()).toEqual([5, 5]);
  });

  it.each(['quota', 'abort-writes'] as const)('%s in the batch: every call it would have stored rejects with a storage error, nothing is kept, the next tracks store', async (kind) => {
    const watch = watchPage();
    const namespace = ns();
    const c = await client({ namespace });
    const f = inject(kind);
    restores.push(f.restore);
    const settled = await Promise.allSettled([
      c.track('article_view', { category: 'news' }),
      c.track('purchase'),
      c.track('newsletter_open'), // unreferenced: never reaches storage, resolves as always
    ]);
    expect(settled.slice(0, 2).map((s) => s.status)).toEqual(['rejected', 'rejected']);
    for (const s of settled.slice(0, 2)) {
      const e = (s as PromiseRejectedResult).reason;
      expect(isCohortkitError(e) && e.code).toBe('storage');
    }
    expect(settled[2]).toEqual({ status: 'fulfilled', value: { stored: false, reason: 'unreferenced' } });
    f.restore();
    expect((await dump(namespace)).signals).toEqual([]);
    expect((await c.exportData()).signals).toEqual([]);
    // Nothing was recorded by the guard either: the same calls are not duplicates now.
    expect(await Promise.all([c.track('article_view', { category: 'news' }), c.track('purchase')])).toEqual([
      { stored: true, reason: 'stored' },
      { stored: true, reason: 'stored' },
    ]);
    expect((await dump(namespace)).signals).toHaveLength(2);
    await watch.check();
  });

  it('a withdrawal racing a batch: what the batch stored is purged before the withdrawal resolves; later calls are no-consent', async () => {
    const namespace = ns();
    const c = await client({ namespace });
    const before = Array.from({ length: 10 }, (_, i) => c.track('article_view', { category: 'news', n: i }));
    const withdrawn = c.consent.update({ personalization: false });
    const after = Array.from({ length: 5 }, (_, i) => c.track('purchase', { n: i }));
    await withdrawn;
    // Once the withdrawal resolved, nothing relying on it is stored, whatever the batch did.
    expect((await dump(namespace)).signals).toEqual([]);
    expect((await dump(namespace)).memberships).toEqual([]);
    const b = await Promise.all(before);
    const a = await Promise.all(after);
    expect(a).toEqual(Array(5).fill({ stored: false, reason: 'no-consent' }));
    for (const r of b) expect(['stored', 'no-consent']).toContain(r.reason);
    const stored = b.filter((r) => r.stored).length;
    const receipt = (await c.consent.history()).at(-1)!;
    expect(receipt).toMatchObject({ purpose: 'personalization', granted: false });
    // Everything the batch stored (one rollup) is what the receipt says was purged.
    expect((receipt as { purged?: { signals: number } }).purged?.signals ?? 0).toBe(stored ? 1 : 0);
    expect((await c.exportData()).signals).toEqual([]);
    expect(await c.segments()).toEqual([]);
  });

  it('the cross-tab message is posted once per batch', async () => {
    const posted: unknown[] = [];
    const orig = BroadcastChannel.prototype.postMessage;
    const spy = vi.spyOn(BroadcastChannel.prototype, 'postMessage').mockImplementation(function (this: BroadcastChannel, m: unknown) {
      posted.push(m);
      return orig.call(this, m);
    });
    restores.push(() => spy.mockRestore());
    const c = await client();
    posted.length = 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => c.track('article_view', { category: 'news', n: i })));
    expect(posted).toEqual([{ type: 'signals' }]);
  });
});

describe('the track hot path reads only what it needs', () => {
  // navigator.userAgent stands for the visitor's context (read with location, referrer, screen).
  const countContextReads = () => {
    const spy = vi.spyOn(navigator, 'userAgent', 'get');
    restores.push(() => spy.mockRestore());
    return () => spy.mock.calls.length;
  };

  it('no segment reads the context: tracks and segments() never read it', async () => {
    const c = await client();
    const reads = countContextReads();
    for (let i = 0; i < 10; i++) expect((await c.track('article_view', { category: i % 2 ? 'news' : 'sport' })).stored).toBe(true);
    expect((await c.segments()).map((m) => m.id)).toEqual(['reader']);
    expect(reads()).toBe(0);
  });

  it('a segment reads the context: it is read, and the rule sees it', async () => {
    const c = await client({ segments: [...segments, { id: 'desktop', description: 'on a desktop', rule: { context: 'device', in: ['desktop'] } }] });
    const reads = countContextReads();
    await c.track('article_view', { category: 'news' });
    expect(reads()).toBe(0); // the track re-evaluates only the segments reading its event
    await c.segments(); // the context segment is evaluated: its context is read
    expect(reads()).toBeGreaterThan(0);
    expect((await c.explain('desktop')).conditions.length).toBeGreaterThan(0);
  });

  it('a track re-evaluates only the segments with a condition counting the rollup it changed', async () => {
    const now = clock();
    const defs: SegmentDefinition[] = [
      { id: 'sport', description: 'sport within a day', rule: { event: 'article_view', where: { category: 'sport' }, within: '1d' } },
      { id: 'news', description: 'news', rule: { event: 'article_view', where: { category: 'news' } } },
      { id: 'fan', description: 'the sport segment, referenced', rule: { segment: 'sport' } },
    ];
    // Consent given by an earlier page: the start-up sweep is over when createClient resolves.
    const namespace = ns();
    const first = await createClient({ namespace, now, segments: defs });
    await first.consent.update({ personalization: true });
    await first.close();
    const c = await createClient({ namespace, now, segments: defs });
    clients.push(c);
    const emitted: string[][] = [];
    c.on('segments', (m) => emitted.push((m as Array<{ id: string }>).map((x) => x.id)));
    await c.track('article_view', { category: 'sport' });
    expect(emitted).toEqual([['sport', 'fan']]); // the referrer changes with the segment it reads
    now.advance(2 * 86_400_000);
    // A news view cannot change what counts sport views: the track leaves their stored
    // memberships as they are, and the lapsed window is seen by the next read, which emits it.
    await c.track('article_view', { category: 'news' });
    const storedIds = async () => (await dump(namespace)).memberships.map((m) => (m as { id: string }).id).sort();
    expect(emitted).toEqual([['sport', 'fan'], ['news']]); // what is listed is evaluated as of now
    expect(await storedIds()).toEqual(['fan', 'news', 'sport']); // the track wrote only news's membership
    expect((await c.segments()).map((m) => m.id)).toEqual(['news']);
    expect(await storedIds()).toEqual(['news']);
    expect((await c.explain('sport')).member).toBe(false);
    await c.close();
    const again = await createClient({ namespace, now, segments: defs });
    clients.push(again);
    expect((await again.segments()).map((m) => m.id)).toEqual(['news']);
  });
});
