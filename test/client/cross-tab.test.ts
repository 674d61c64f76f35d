// Cross-tab segments (API.md v1.1): a signal stored in one tab updates memberships in every other
// tab of the same namespace, and on('segments') fires there. Two real clients on one namespace
// stand for two tabs (one IndexedDB, BroadcastChannel between them; no Web Locks in happy-dom).
import fc from 'fast-check';
import { openDB } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/index';
import { fillSlots } from '../../src/tag';
import type { Client, ClientOptions, LDPReport, Membership, SegmentDefinition } from '../../src/types';
import { collectorFetch, watchPage } from './fault-helpers';

let n = 0;
const ns = () => `tab${Date.now().toString(36)}${n++}`;
const segments: SegmentDefinition[] = [
  { id: 'reader', description: 'reads news twice', rule: { event: 'article_view', where: { category: 'news' }, count: { gte: 2 } } },
  { id: 'buyer', description: 'buys', rule: { event: 'purchase' } },
];
let clients: Client[] = [];
const origFetch = globalThis.fetch;
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  globalThis.fetch = origFetch;
});

/** Two tabs on one namespace, with both purposes granted (in tab A; tab B follows). */
async function twoTabs(extra: Partial<ClientOptions> = {}) {
  const namespace = ns();
  const a = await createClient({ namespace, segments, ...extra });
  const b = await createClient({ namespace, segments, ...extra });
  clients.push(a, b);
  const synced = new Promise((r) => b.on('consent', r));
  await a.consent.update({ personalization: true, measurement: true }, { source: 'banner' });
  await synced;
  return { a, b };
}
/** The next `segments` event of a client (rejects after 1 s). */
const nextSegments = (c: Client) =>
  new Promise<Membership[]>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no segments event within a second')), 1000);
    const off = c.on('segments', (m) => (clearTimeout(t), off(), resolve(m as Membership[])));
  });

describe('segments across tabs', () => {
  it("a signal stored in tab A: tab B's memberships update and on('segments') fires there, once", async () => {
    const watch = watchPage();
    const { a, b } = await twoTabs();
    const inB: Membership[][] = [];
    b.on('segments', (m) => inB.push(m as Membership[]));
    const next = nextSegments(b);
    await a.track('purchase');
    const got = await next;
    expect(got.map((m) => m.id)).toEqual(['buyer']);
    expect((await b.segments()).map((m) => m.id)).toEqual(['buyer']);
    // the same membership, not a second one of its own: `since` is tab A's
    const [inA] = await a.segments();
    expect(got[0]).toMatchObject({ id: 'buyer', since: inA!.since });
    expect((await b.explain('buyer')).member).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(inB).toHaveLength(1);
    await watch.check();
  });

  it('a signal that changes no membership fires nothing in B, but B counts it toward the next', async () => {
    const { a, b } = await twoTabs();
    const inB: unknown[] = [];
    b.on('segments', (m) => inB.push(m));
    await a.track('article_view', { category: 'news' });
    await new Promise((r) => setTimeout(r, 50));
    expect(inB).toEqual([]);
    // the second article is read in tab B: it joins from the two tabs' signals together
    const r = await b.track('article_view', { category: 'news', n: 2 } as never);
    expect(r.stored).toBe(true);
    expect((await b.segments()).map((m) => m.id)).toEqual(['reader']);
    expect(inB).toHaveLength(1);
  });

  it("tab B's slots follow (the tag bundle's segments listener re-decides them)", async () => {
    const { a, b } = await twoTabs();
    document.body.innerHTML = `<div id="hero" data-cohortkit-slot="hero"><p>Welcome</p><template data-variant="buyer"><p>Thanks for your order</p></template></div>`;
    const slot = document.getElementById('hero')!;
    const fill = () => void fillSlots(document, b);
    b.on('segments', fill); // what dist/cohortkit.iife.js does
    await fillSlots(document, b);
    expect(slot.getAttribute('data-cohortkit-reason')).toBe('no-match');
    await a.track('purchase');
    for (let i = 0; i < 40 && slot.getAttribute('data-cohortkit-reason') !== 'segment'; i++) await new Promise((r) => setTimeout(r, 25));
    expect(slot.getAttribute('data-cohortkit-reason')).toBe('segment');
    expect(slot.textContent).toContain('Thanks for your order');
    document.body.innerHTML = '';
  });

  it("tab B's report uses the membership from tab A's signal", async () => {
    const collector = collectorFetch();
    globalThis.fetch = collector as never;
    // ε = 10 over k = 2: the true cohort is reported with probability e¹⁰/(e¹⁰+1) > 0.9999.
    const cohorts = [{ id: 'who', description: 'who', cohorts: [{ id: 'buyers', segment: 'buyer' }], fallback: 'others' }];
    const { a, b } = await twoTabs({ cohorts, report: { endpoint: 'https://collector.example/v1/reports', epsilon: 10 } });
    const next = nextSegments(b);
    await a.track('purchase');
    await next;
    expect(await b.flush()).toEqual({ sent: 1, queued: 0 });
    const [report] = collector.reports() as unknown as LDPReport[];
    expect(report).toMatchObject({ space: 'who', mechanism: 'grr', value: 0 }); // cohort 0: buyers
    expect(await a.flush()).toEqual({ sent: 0, queued: 0 }); // once per epoch for the namespace
    expect(collector.reports()).toHaveLength(1);
  });

  it("a withdrawal in tab A empties tab B's memberships and fires on('segments') with []", async () => {
    const { a, b } = await twoTabs();
    const joined = nextSegments(b);
    await a.track('purchase');
    await joined;
    const left = nextSegments(b);
    await a.consent.update({ personalization: false });
    expect(await left).toEqual([]);
    expect(await b.segments()).toEqual([]);
  });

  it('a burst of tracks in tab A: B ends with every signal and A\'s memberships, announced at its start and its end', async () => {
    const watch = watchPage();
    const { a, b } = await twoTabs();
    // Each reload of tab B reads the memberships whole (one getAll there); tab A's tracks never do (known stamp).
    const getAll = vi.spyOn(IDBObjectStore.prototype, 'getAll');
    const sent = vi.spyOn(BroadcastChannel.prototype, 'postMessage');
    try {
      for (let i = 0; i < 30; i++) await a.track('article_view', { category: i % 2 ? 'news' : 'sport' });
      await vi.waitFor(async () => expect((await b.segments()).map((m) => m.id)).toEqual(['reader']), { timeout: 2000 });
      await new Promise((r) => setTimeout(r, 100));
      const count = (c: Client) => c.exportData().then((d) => (d.signals as { count: number }[]).reduce((n, s) => n + s.count, 0));
      expect(await count(b)).toBe(30);
      expect(await count(a)).toBe(30);
      const messages = sent.mock.calls.filter(([m]) => (m as { type?: string })?.type === 'signals').length;
      const reloads = getAll.mock.contexts.filter((s) => (s as IDBObjectStore).name === 'memberships').length;
      // The burst is announced at its start and once at its end (one message a track, 30, before).
      expect(messages).toBeGreaterThanOrEqual(2);
      expect(messages).toBeLessThanOrEqual(4);
      expect(reloads).toBeLessThanOrEqual(messages + 2); // one a message at most, and two more, as before (32 for 30 messages)
    } finally {
      sent.mockRestore();
      getAll.mockRestore();
    }
    await watch.check();
  });

  it('one track is announced at once; the rest of a burst goes at its end, or with a closing page (pagehide)', async () => {
    const watch = watchPage();
    const { a, b } = await twoTabs();
    const sent = vi.spyOn(BroadcastChannel.prototype, 'postMessage');
    const signals = () => sent.mock.calls.filter(([m]) => (m as { type?: string })?.type === 'signals').length;
    const count = (c: Client) => c.exportData().then((d) => (d.signals as { count: number }[]).reduce((n, s) => n + s.count, 0));
    try {
      await new Promise((r) => setTimeout(r, 60)); // past any window a start-up write opened
      expect(await a.track('article_view', { category: 'news' })).toEqual({ stored: true, reason: 'stored' });
      expect(signals()).toBe(1); // posted before the track resolved: no delay for a lone track
      for (let i = 1; i < 4; i++) expect((await a.track('article_view', { category: i % 2 ? 'sport' : 'news' })).stored).toBe(true);
      expect(signals()).toBe(1); // within the window: one trailing message is pending
      window.dispatchEvent(new Event('pagehide'));
      expect(signals()).toBe(2); // the page closes: it goes now, not never
      await vi.waitFor(async () => expect(await count(b)).toBe(4), { timeout: 2000 });
      await new Promise((r) => setTimeout(r, 80));
      expect(signals()).toBe(2); // and only once
    } finally {
      sent.mockRestore();
    }
    await watch.check();
  });

  it('signals messages that arrive together cost at most two reloads; a consent message between them keeps its place', async () => {
    const watch = watchPage();
    const namespace = ns();
    const b = await createClient({ namespace, segments });
    clients.push(b);
    const ch = new BroadcastChannel(`cohortkit:${namespace}`);
    const getAll = vi.spyOn(IDBObjectStore.prototype, 'getAll');
    const reads = (store: string) => getAll.mock.contexts.filter((s) => (s as IDBObjectStore).name === store).length;
    try {
      for (let i = 0; i < 30; i++) ch.postMessage({ type: 'signals' });
      await new Promise((r) => setTimeout(r, 100));
      // The first message's reload starts before the second arrives (each is its own task), so that
      // one queues a second; the other 28 join it. One a message before: 30.
      expect(reads('memberships')).toBeLessThanOrEqual(2);
      // signals, consent, signals: the consent reload is not jumped, so the second signals reload stays.
      getAll.mockClear();
      for (const type of ['signals', 'consent', 'signals', 'signals']) ch.postMessage({ type });
      await new Promise((r) => setTimeout(r, 100));
      expect(reads('memberships')).toBe(2);
      expect(reads('ledger')).toBeGreaterThan(0); // the consent reload ran too
    } finally {
      ch.close();
      getAll.mockRestore();
    }
    await watch.check();
  });

  it('another namespace is another site section: nothing crosses', async () => {
    const { a } = await twoTabs();
    const other = await createClient({ namespace: ns(), segments });
    clients.push(other);
    const seen: unknown[] = [];
    other.on('segments', (m) => seen.push(m));
    await a.track('purchase');
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([]);
    expect(await other.segments()).toEqual([]);
  });

  it('hostile messages on the channel change nothing and reach nothing', async () => {
    const watch = watchPage();
    const namespace = ns();
    const b = await createClient({ namespace, segments });
    clients.push(b);
    const errors: unknown[] = [];
    b.on('error', (e) => errors.push(e));
    const ch = new BroadcastChannel(`cohortkit:${namespace}`);
    for (const m of [null, 1, 'signals', { type: 1 }, { type: 'signals', extra: { __proto__: { polluted: 1 } } }, { type: 'consent' }, { type: 'nope' }, [{ type: 'signals' }]])
      ch.postMessage(m);
    await new Promise((r) => setTimeout(r, 100));
    ch.close();
    expect(b.consent.get()).toEqual({ personalization: 'unset', measurement: 'unset' });
    expect(await b.segments()).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(errors).toEqual([]);
    await watch.check();
  });
});

describe('tracks across tabs when the messages are late (the stored stamp, no read before the write)', () => {
  /** Every signals record of a namespace, as stored. */
  const stored = async (namespace: string) => {
    const db = await openDB(`cohortkit:${namespace}`);
    const all = await db.getAll('signals');
    db.close();
    return all as Array<{ key: string; count: number; times: number[] }>;
  };

  it("no message arrives: neither tab's track loses or overwrites the other's, and memberships follow both", async () => {
    const { a, b } = await twoTabs();
    // From here no message crosses (a busy tab, a late channel): only the store tells.
    const post = vi.spyOn(BroadcastChannel.prototype, 'postMessage').mockImplementation(() => undefined);
    try {
      expect(await a.track('article_view', { category: 'news', n: 1 } as never)).toEqual({ stored: true, reason: 'stored' });
      // B's cache has no such rollup: its write must see A's stamp, reload, and add to A's rollup.
      expect(await b.track('article_view', { category: 'news', n: 2 } as never)).toEqual({ stored: true, reason: 'stored' });
      expect((await b.segments()).map((m) => m.id)).toEqual(['reader']);
      // A's cache is now stale the other way round: its next write reloads and keeps B's count.
      expect(await a.track('article_view', { category: 'news', n: 3 } as never)).toEqual({ stored: true, reason: 'stored' });
      const explained = await a.explain('reader');
      expect(explained.conditions[0]).toMatchObject({ path: 'rule.count', observed: 3 });
      expect((await b.exportData()).signals.find((x) => (x as { event: string }).event === 'article_view')).toMatchObject({ count: 2 }); // B has not reloaded since its own write
      expect((await a.exportData()).signals.find((x) => (x as { event: string }).event === 'article_view')).toMatchObject({ count: 3 });
    } finally {
      post.mockRestore();
    }
  });

  /** Every put of the stamp (meta STAMP_KEY) while `fn` runs. */
  const stampPuts = async (fn: () => Promise<unknown>) => {
    const puts: unknown[] = [];
    const orig = IDBObjectStore.prototype.put;
    const spy = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, v: unknown, k?: IDBValidKey) {
      if (this.name === 'meta' && k === 'cohortkit:stamp') puts.push(v);
      return orig.call(this, v, k);
    });
    try {
      await fn();
    } finally {
      spy.mockRestore();
    }
    return puts;
  };

  it('a lone tab puts the stamp once, then writes under it: no stamp put per track', async () => {
    const namespace = ns();
    const a = await createClient({ namespace, segments });
    clients.push(a);
    await a.consent.update({ personalization: true });
    const puts = await stampPuts(async () => {
      for (let i = 0; i < 10; i++) expect(await a.track('article_view', { category: 'news', n: i } as never)).toMatchObject({ stored: true });
    });
    expect(puts).toHaveLength(1);
    expect((await stored(namespace)).find((x) => x.key.startsWith('article_view|'))!.count).toBe(10);
  });

  it('a tab that loads under the stamp another tab holds claims it: that tab puts a new one on its next write, and no message is needed', async () => {
    const namespace = ns();
    const a = await createClient({ namespace, segments });
    clients.push(a);
    await a.consent.update({ personalization: true });
    await a.track('article_view', { category: 'news', n: 1 } as never);
    await a.track('article_view', { category: 'news', n: 2 } as never); // A holds its stamp: kept
    const post = vi.spyOn(BroadcastChannel.prototype, 'postMessage').mockImplementation(() => undefined);
    try {
      // B starts now: its caches hold A's two events, under A's stamp, which B's start claims.
      const b = await createClient({ namespace, segments });
      clients.push(b);
      const db = await openDB(`cohortkit:${namespace}`);
      const held = await db.get('meta', 'cohortkit:stamp');
      db.close();
      expect(held).toMatch(/~$/);
      // A writes on: it finds its stamp claimed and puts a new one…
      expect(await stampPuts(() => a.track('article_view', { category: 'news', n: 3 } as never))).toHaveLength(1);
      // …so B's write is refused, B reloads and counts A's third event: 4, not 3.
      expect(await b.track('article_view', { category: 'news', n: 4 } as never)).toEqual({ stored: true, reason: 'stored' });
      expect((await stored(namespace)).find((x) => x.key.startsWith('article_view|'))!.count).toBe(4);
      expect((await b.exportData()).signals.find((x) => (x as { event: string }).event === 'article_view')).toMatchObject({ count: 4 });
    } finally {
      post.mockRestore();
    }
  });

  it('property: two tabs that track and reload in any order, with no message between them, count every track once and each writes from what is stored', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ tab: fc.nat(1), op: fc.constantFrom('track', 'track', 'restart'), cat: fc.constantFrom('news', 'sport') }), { minLength: 1, maxLength: 14 }),
        async (steps) => {
          const namespace = ns();
          const open = async () => {
            const c = await createClient({ namespace, segments });
            await c.consent.update({ personalization: true });
            return c;
          };
          const tabs = [await open(), await open()];
          const post = vi.spyOn(BroadcastChannel.prototype, 'postMessage').mockImplementation(() => undefined);
          const counted: Record<string, number> = {};
          try {
            for (const [i, s] of steps.entries()) {
              const tab = tabs[s.tab]!;
              if (s.op === 'restart') await tab.close(), (tabs[s.tab] = await open()); // a reload of the page: a cold start, no write
              else {
                expect(await tab.track('article_view', { category: s.cat, n: i } as never)).toEqual({ stored: true, reason: 'stored' });
                counted[s.cat] = (counted[s.cat] ?? 0) + 1;
                // The tab wrote from what was stored: its cache is the store's, nothing lost.
                const mine = (await tab.exportData()).signals.find((x) => (x as { props: { category: string } }).props.category === s.cat);
                expect(mine).toMatchObject({ count: counted[s.cat] });
              }
            }
            const rows = (await stored(namespace)).filter((x) => x.key.startsWith('article_view|'));
            expect(Object.fromEntries(rows.map((r) => [r.key.split('|').pop()!.includes('news') ? 'news' : 'sport', r.count]))).toEqual(counted);
          } finally {
            post.mockRestore();
            await Promise.all(tabs.map((t) => t.close()));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a hostile stamp written by another script costs a reload, never a lost or refused track', async () => {
    const namespace = ns();
    const a = await createClient({ namespace, segments });
    clients.push(a);
    await a.consent.update({ personalization: true });
    for (const [i, bad] of [{ evil: 1 }, 7, 'not ours'].entries()) {
      const db = await openDB(`cohortkit:${namespace}`);
      await db.put('meta', bad, 'cohortkit:stamp');
      db.close();
      expect(await a.track('article_view', { category: 'news', n: i } as never)).toEqual({ stored: true, reason: 'stored' });
    }
    const rows = (await stored(namespace)).filter((x) => x.key.startsWith('article_view|'));
    expect(rows.map((r) => r.count)).toEqual([3]);
  });

  it('concurrent tracks in two tabs on one rollup: every one is counted once', async () => {
    const namespace = ns();
    const a = await createClient({ namespace, segments });
    const b = await createClient({ namespace, segments });
    clients.push(a, b);
    await a.consent.update({ personalization: true });
    await b.consent.update({ personalization: true });
    const post = vi.spyOn(BroadcastChannel.prototype, 'postMessage').mockImplementation(() => undefined);
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).track('article_view', { category: 'news', n: i } as never)),
      );
      expect(results.filter((r) => !r.stored)).toEqual([]);
      const rows = (await stored(namespace)).filter((x) => x.key.startsWith('article_view|'));
      expect(rows).toHaveLength(1);
      expect(rows[0]!.count).toBe(20);
    } finally {
      post.mockRestore();
    }
  });
});
