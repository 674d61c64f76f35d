// Cross-tab segments in real Chromium: two tabs (two pages of one browser profile: one
// IndexedDB, BroadcastChannel and Web Locks between them). A signal stored in tab A updates the
// memberships of tab B, whose on('segments') fires within a second, and whose slots follow.
// Also: language tags as people write them ('en-US') work in a definition.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, startServer, type BrowserHandle, type TestServer } from './harness';

let server: TestServer;
let browser: BrowserHandle;

const SEGMENTS = [
  { id: 'buyer', description: 'buys', rule: { event: 'purchase' } },
  { id: 'reader', description: 'reads news twice', rule: { event: 'article_view', where: { category: 'news' }, count: { gte: 2 } } },
];

beforeAll(async () => {
  server = await startServer();
  server.pages.set('/blank.html', {
    body: `<!doctype html><html><head><meta charset="utf-8"><script src="/dist/cohortkit.iife.js"></script></head><body></body></html>`,
  });
  // Tab B as a tag-manager page: the queue, the bundle, a declarative slot.
  server.pages.set('/slot.html', {
    body: `<!doctype html><html><head><meta charset="utf-8">
<script>
  window.cohortkit = [['init', { namespace: 'xtab-slot', segments: ${JSON.stringify(SEGMENTS)} }]];
</script>
<script src="/dist/cohortkit.iife.js"></script></head>
<body><section id="hero" data-cohortkit-slot="hero"><h1>Welcome</h1><template data-variant="buyer"><h1>Thanks for your order</h1></template></section></body></html>`,
  });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('segments across tabs in Chromium', () => {
  it("a signal in tab A: on('segments') fires in tab B within a second, with the same membership", async () => {
    const before = browser.errors.length;
    const a = await browser.newPage();
    const b = await browser.newPage();
    await a.goto(`${server.url}/blank.html`);
    await b.goto(`${server.url}/blank.html`);
    await b.evaluate(async (segments) => {
      const w = window as any;
      w.client = await w.Cohortkit.createClient({ namespace: 'xtab', segments });
      w.events = [];
      w.client.on('segments', (m: any[]) => w.events.push({ ids: m.map((x) => x.id), since: m.map((x) => x.since) }));
      w.consented = new Promise((r) => w.client.on('consent', r));
    }, SEGMENTS);
    await a.evaluate(async (segments) => {
      const w = window as any;
      w.client = await w.Cohortkit.createClient({ namespace: 'xtab', segments });
      await w.client.consent.update({ personalization: true }, { source: 'banner' });
    }, SEGMENTS);
    await b.evaluate(() => (window as any).consented);
    const inA = await a.evaluate(async () => {
      const w = window as any;
      const r = await w.client.track('purchase');
      return { r, since: (await w.client.segments())[0].since };
    });
    expect(inA.r).toEqual({ stored: true, reason: 'stored' });
    await b.waitForFunction(() => (window as any).events.length > 0, undefined, { timeout: 1000 });
    const events = await b.evaluate(() => (window as any).events);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ ids: ['buyer'], since: [inA.since] });
    const inB = await b.evaluate(async () => {
      const w = window as any;
      return { ids: (await w.client.segments()).map((m: any) => m.id), member: (await w.client.explain('buyer')).member };
    });
    expect(inB).toEqual({ ids: ['buyer'], member: true });
    expect(browser.errors.slice(before)).toEqual([]);
    await a.close();
    await b.close();
  });

  it("tab B's slot (tag bundle, command queue) switches to the variant after a signal in tab A", async () => {
    const before = browser.errors.length;
    const b = await browser.newPage();
    await b.goto(`${server.url}/slot.html`);
    await b.waitForSelector('#hero[data-cohortkit-reason="no-consent"], #hero[data-cohortkit-reason="no-match"]', { timeout: 10_000 });
    const a = await browser.newPage();
    await a.goto(`${server.url}/blank.html`);
    await a.evaluate(async (segments) => {
      const w = window as any;
      const c = await w.Cohortkit.createClient({ namespace: 'xtab-slot', segments });
      await c.consent.update({ personalization: true }, { source: 'banner' });
      await c.track('purchase');
    }, SEGMENTS);
    await b.waitForSelector('#hero[data-cohortkit-reason="segment"]', { timeout: 1000 });
    expect(await b.textContent('#hero h1')).toBe('Thanks for your order');
    expect(browser.errors.slice(before)).toEqual([]);
    await a.close();
    await b.close();
  });
});

describe('language tags as people write them', () => {
  it("'en-US', 'EN' and the browser's own navigator.language work in a definition; the explanation shows what was compared", async () => {
    const before = browser.errors.length;
    const p = await browser.newPage();
    await p.goto(`${server.url}/blank.html`);
    const r = await p.evaluate(async () => {
      const w = window as any;
      const lang = navigator.language; // e.g. 'en-US', as the browser reports it
      const primary = lang.split('-')[0]!.toUpperCase();
      const c = await w.Cohortkit.createClient({
        namespace: 'lang',
        segments: [
          { id: 'as-reported', description: 'the browser language as reported', purposes: [], rule: { context: 'language', in: [lang] } },
          { id: 'primary-upper', description: 'its primary subtag in capitals', purposes: [], rule: { context: 'language', in: [primary] } },
          { id: 'literal', description: 'written as in the docs', purposes: [], rule: { context: 'language', in: ['en-US', 'EN'] } },
          { id: 'other', description: 'another language', purposes: [], rule: { context: 'language', in: ['xx-YY'] } },
        ],
      });
      const ex = await c.explain('as-reported');
      return {
        lang,
        members: (await c.segments()).map((m: any) => m.id),
        condition: ex.conditions[0],
        literal: (await c.explain('literal')).conditions[0].expected,
      };
    });
    expect(r.members).toEqual(expect.arrayContaining(['as-reported', 'primary-upper']));
    expect(r.members).not.toContain('other');
    if (r.lang.toLowerCase().startsWith('en')) expect(r.members).toContain('literal');
    expect(r.condition).toEqual({ path: 'rule', passed: true, observed: r.lang.toLowerCase(), expected: [r.lang.toLowerCase()] });
    expect(r.literal).toEqual(['en-us', 'en']);
    expect(browser.errors.slice(before)).toEqual([]);
    await p.close();
  });
});
