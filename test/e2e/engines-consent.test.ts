// The core scenarios of consent and storage, written once and run in Chromium, Firefox and WebKit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './harness';
import { launchEngine, selectedEngines, type Engine, type EnginePage } from './engines';
import { registerPages } from './engines/pages';
import { launchWebKit } from './engines/webkit';

type W = any; // the page's window, as the fixtures shape it

/** What each engine does with persistStorage on a fresh profile (docs/browsers.md). */
const PERSISTENCE = { chromium: 'best-effort', firefox: 'pending', webkit: 'unavailable' } as const;
const persistProbe = async () => {
  const c = await (window as W).Cohortkit.createClient({ namespace: 'persist', persistStorage: true });
  await c.consent.update({ measurement: true });
  return { storage: c.storage, persistence: (await c.exportData()).persistence };
};
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  registerPages(server);
});
afterAll(() => server?.close());

describe.each(selectedEngines())('%s', (name) => {
  let engine: Engine;
  const open = async (path: string): Promise<EnginePage> => {
    const p = await engine.newPage();
    await p.goto(`${server.url}${path}`);
    return p;
  };
  beforeAll(async () => {
    engine = await launchEngine(name);
  });
  afterAll(() => engine?.close());

  it(`[${name}] consent + ledger survive reload (real IndexedDB)`, async () => {
    const p = await open('/blank.html');
    const first = await p.evaluate(async () => {
      const c = await (window as W).Cohortkit.createClient({ namespace: 'reload' });
      await c.consent.update({ measurement: true, personalization: false }, { source: 'banner' });
      return { storage: c.storage, state: c.consent.get() };
    });
    expect(first).toEqual({ storage: 'indexeddb', state: { personalization: 'denied', measurement: 'granted' } });
    await p.reload();
    const after = await p.evaluate(async () => {
      const c = await (window as W).Cohortkit.createClient({ namespace: 'reload' });
      const h = await c.consent.history();
      return { state: c.consent.get(), verify: await c.consent.verify(), sources: h.map((e: W) => e.source) };
    });
    expect(after).toEqual({ state: { personalization: 'denied', measurement: 'granted' }, verify: true, sources: ['banner', 'banner'] });
    await p.close();
    expect(await engine.errors()).toEqual([]);
  });

  it(`[${name}] cross-tab: consent both ways, and a signal stored in one tab updates segments in the other`, async () => {
    const a = await open('/app.html');
    const b = await open('/app.html');
    const listen = async () => {
      const c = await (window as W).app.client('tabs');
      (window as W).seen = { consent: [], segments: [] };
      c.on('consent', (s: unknown) => (window as W).seen.consent.push(s));
      c.on('segments', (m: W[]) => (window as W).seen.segments.push(m.map((x) => x.id)));
      (window as W).client = c;
    };
    await b.evaluate(listen);
    await a.evaluate(listen);
    await a.evaluate(() => (window as W).client.consent.update({ personalization: true }, { source: 'banner' }));
    await b.waitFor(() => (window as W).seen.consent.some((s: W) => s.personalization === 'granted'), undefined, { timeout: 1000 });
    expect(await b.evaluate(() => (window as W).client.consent.get().personalization)).toBe('granted');
    // a signal tracked in a reaches b's memberships (the rule needs one article_view)
    await a.evaluate(() => (window as W).client.track('article_view', { category: 'sport' }));
    await b.waitFor(() => (window as W).seen.segments.some((ids: string[]) => ids.includes('reader')), undefined, { timeout: 1000 });
    // and back: a withdrawal in b reaches a
    await b.evaluate(() => (window as W).client.consent.update({ personalization: false }));
    await a.waitFor(() => (window as W).seen.consent.some((s: W) => s.personalization === 'denied'), undefined, { timeout: 1000 });
    expect(await a.evaluate(async () => (await (window as W).client.segments()).map((m: W) => m.id))).toEqual([]);
    await a.close();
    await b.close();
    expect(await engine.errors()).toEqual([]);
  });

  it(`[${name}] track → segments → explain; reload keeps them; withdrawal empties IndexedDB of every tracked event`, async () => {
    const p = await open('/app.html');
    const r = await p.evaluate(async () => {
      const c = await (window as W).app.client('journey');
      await c.consent.update({ personalization: true }, { source: 'banner' });
      for (let i = 0; i < 3; i++) await c.track('article_view', { category: 'news', title: `t${i}` });
      const explain = await c.explain('news-reader');
      return { ids: (await c.segments()).map((s: W) => s.id), member: explain.member, events: explain.signals.map((s: W) => s.event) };
    });
    expect(r.ids).toEqual(expect.arrayContaining(['news-reader', 'reader']));
    expect(r.member).toBe(true);
    expect(r.events).toContain('article_view');
    await p.reload();
    expect(await p.evaluate(async () => (await (await (window as W).app.client('journey')).segments()).map((s: W) => s.id))).toContain('news-reader');
    const dump = await p.evaluate(async () => {
      const c = await (window as W).app.client('journey');
      await c.track('purchase', { sku: 'x' });
      await c.consent.update({ personalization: false }, { source: 'preference-center' });
      return (window as W).app.dump('cohortkit:journey');
    });
    expect(dump.signals).toEqual([]);
    expect(dump.memberships).toEqual([]);
    const text = JSON.stringify({ signals: dump.signals, memberships: dump.memberships, outbox: dump.outbox, meta: dump.meta });
    for (const leak of ['article_view', 'purchase', 'news-reader', 't0']) expect(text).not.toContain(leak);
    await p.close();
    expect(await engine.errors()).toEqual([]);
  });

  it(`[${name}] another page deleting the database does not hang an open client`, async () => {
    const a = await open('/blank.html');
    const b = await open('/blank.html');
    await a.evaluate(async () => {
      const c = await (window as W).Cohortkit.createClient({ namespace: 'deleted' });
      await c.consent.update({ measurement: true });
      (window as W).client = c;
    });
    const deleted = await b.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const r = indexedDB.deleteDatabase('cohortkit:deleted');
          r.onsuccess = () => resolve('deleted');
          r.onerror = () => resolve(`error ${r.error}`);
          r.onblocked = () => resolve('blocked');
        }),
    );
    expect(deleted).toBe('deleted');
    const s = await a.evaluate(() => (window as W).client.consent.update({ personalization: true }));
    expect(s.personalization).toBe('granted');
    await a.reload();
    expect(await a.evaluate(async () => (await (window as W).Cohortkit.createClient({ namespace: 'deleted' })).consent.verify())).toBe(true);
    await a.close();
    await b.close();
    expect(await engine.errors()).toEqual([]);
  });

  it(`[${name}] persistStorage: createClient never waits for the answer; exportData says what the engine did`, async () => {
    const p = await open('/blank.html');
    expect(await p.evaluate(persistProbe)).toEqual({ storage: 'indexeddb', persistence: PERSISTENCE[name] });
    await p.close();
    expect(await engine.errors()).toEqual([]);
  });

  it(`[${name}] IndexedDB that throws → the client works from memory, no page error`, async () => {
    const p = await open('/broken-idb.html');
    const r = await p.evaluate(async () => {
      const c = await (window as W).Cohortkit.createClient({ namespace: 'broken' });
      await c.consent.update({ measurement: true });
      return { storage: c.storage, state: c.consent.get().measurement, verify: await c.consent.verify() };
    });
    expect(r).toEqual({ storage: 'memory', state: 'granted', verify: true });
    await p.close();
    expect(await engine.errors()).toEqual([]);
  });

  it(`[${name}] the IIFE bundle works under Content-Security-Policy: script-src 'self' (no violation)`, async () => {
    const p = await open('/csp.html');
    await p.waitFor(() => (window as W).cspResult !== undefined);
    expect(await p.evaluate(() => (window as W).cspResult)).toEqual({ ok: true, state: { personalization: 'granted', measurement: 'unset' }, verify: true });
    expect(await engine.errors()).toEqual([]);
    // and the error channel does see a violation in this engine: an inline script is refused
    const ran = await p.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.inlineRan = true';
      document.head.append(s);
      await new Promise((r) => setTimeout(r, 100));
      return (window as W).inlineRan === true;
    });
    expect(ran).toBe(false);
    await p.close();
    const seen = await engine.errors();
    expect(seen.some((e) => /csp: script-src/.test(e)), seen.join('\n')).toBe(true);
  });
});

// Safari ships the Storage API; WebKitGTK keeps it off by default: the same engine with it on.
describe.runIf(selectedEngines().includes('webkit'))('webkit with the Storage API', () => {
  it(`[webkit] persistStorage with the Storage API on (as Safari ships it): best-effort`, async () => {
    const wk = await launchWebKit({ args: ['--features=+StorageAPI,+StorageAPIEstimate'] });
    try {
      const p = await wk.newPage();
      await p.goto(`${server.url}/blank.html`);
      expect(await p.evaluate(persistProbe)).toEqual({ storage: 'indexeddb', persistence: 'best-effort' });
      expect(await wk.errors()).toEqual([]);
    } finally {
      await wk.close();
    }
  });
});
