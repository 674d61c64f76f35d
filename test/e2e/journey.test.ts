// Signals, segments and private reporting in real Chromium (real IndexedDB, real fetch).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, startServer, type BrowserHandle, type TestServer } from './harness';

let server: TestServer;
let browser: BrowserHandle;
const received: Array<{ body: unknown; headers: Record<string, unknown> }> = [];

beforeAll(async () => {
  server = await startServer();
  server.handler = (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url!.startsWith('/v1/reports')) return false;
    const body = JSON.parse((req as unknown as { bodyText: string }).bodyText);
    received.push({ body, headers: { ...req.headers } });
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1,"rejected":[]}');
    return true;
  };
  server.pages.set('/app.html', {
    body: `<!doctype html><html><head><meta charset="utf-8"><script src="/dist/cohortkit.iife.js"></script><script src="/test/e2e/fixtures/app.js"></script></head><body><p>app</p></body></html>`,
  });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const reports = () => received.flatMap((r) => (Array.isArray(r.body) ? r.body : [r.body])) as Array<Record<string, unknown>>;

describe('signals and segments in Chromium', () => {
  it('three articles → segment, explained; reload keeps it; withdrawal empties IndexedDB of every tracked event', async () => {
    const p = await browser.newPage();
    await p.goto(`${server.url}/app.html`);
    const r = await p.evaluate(async () => {
      const c = await (window as any).app.client('journey1');
      await c.consent.update({ personalization: true }, { source: 'banner' });
      for (let i = 0; i < 3; i++) await c.track('article_view', { category: 'news', title: `t${i}` });
      const segs = await c.segments();
      return { ids: segs.map((s: any) => s.id), explain: await c.explain('news-reader') };
    });
    expect(r.ids).toContain('news-reader');
    expect(r.explain.member).toBe(true);
    expect(r.explain.signals.map((s: any) => s.event)).toContain('article_view');
    await p.reload();
    const after = await p.evaluate(async () => {
      const c = await (window as any).app.client('journey1');
      return (await c.segments()).map((s: any) => s.id);
    });
    expect(after).toContain('news-reader');
    const dump = await p.evaluate(async () => {
      const c = await (window as any).app.client('journey1');
      await c.track('purchase', { sku: 'x' });
      await c.consent.update({ personalization: false }, { source: 'preference-center' });
      return (window as any).app.dump('cohortkit:journey1');
    });
    const text = JSON.stringify({ signals: dump.signals, memberships: dump.memberships, outbox: dump.outbox });
    expect(dump.signals).toEqual([]);
    expect(dump.memberships).toEqual([]);
    for (const name of ['article_view', 'purchase', 'news-reader']) expect(text).not.toContain(name);
    expect(browser.errors, browser.errors.join("\n")).toEqual([]);
    await p.close();
  });
});

describe('private reporting in Chromium', () => {
  it('flush() sends exactly one report per space, with no cookie and no referer', async () => {
    received.length = 0;
    const p = await browser.newPage();
    await p.goto(`${server.url}/app.html?utm_source=newsletter`);
    const out = await p.evaluate(async (endpoint) => {
      document.cookie = 'session=secret; path=/';
      const c = await (window as any).app.client('report1', endpoint);
      await c.consent.update({ personalization: true, measurement: true }, { source: 'banner' });
      await c.track('article_view', { category: 'news' });
      const first = await c.flush();
      const second = await c.flush();
      return { first, second };
    }, `${server.url}/v1/reports`);
    expect(out.first).toEqual({ sent: 2, queued: 0 });
    expect(out.second).toEqual({ sent: 0, queued: 0 });
    expect(reports().map((r) => r.space).sort()).toEqual(['interest', 'lifecycle']);
    for (const r of received) {
      expect(r.headers.cookie).toBeUndefined();
      expect(r.headers.referer).toBeUndefined();
      expect(String(r.headers['content-type'])).toMatch(/^text\/plain/);
    }
    const text = JSON.stringify(reports());
    for (const leak of ['article_view', 'news', 'newsletter', 'secret', 'app.html']) expect(text).not.toContain(leak);
    await p.close();
  });

  it('offline → queued → reload → delivered once', async () => {
    received.length = 0;
    const p = await browser.newPage();
    await p.goto(`${server.url}/app.html`);
    // The client starts while online (as a tag does at page load: it fetches the reporting
    // add-on then), and the connection drops before the visitor's choice.
    await p.evaluate(async (endpoint) => ((window as any).c = await (window as any).app.client('offline1', endpoint)), `${server.url}/v1/reports`);
    await browser.context.setOffline(true);
    const offline = await p.evaluate(async () => {
      const c = (window as any).c;
      await c.consent.update({ personalization: true, measurement: true });
      return c.flush();
    });
    expect(offline).toEqual({ sent: 0, queued: 2 });
    expect(received).toHaveLength(0);
    await browser.context.setOffline(false);
    await p.reload();
    const online = await p.evaluate(async (endpoint) => {
      const c = await (window as any).app.client('offline1', endpoint);
      const r = await c.flush();
      return { r, again: await c.flush(), queued: (await c.exportData()).reports.queued.length };
    }, `${server.url}/v1/reports`);
    // the client may already have delivered on start; either way each report arrives exactly once
    expect(online.again).toEqual({ sent: 0, queued: 0 });
    expect(online.queued).toBe(0);
    // At-least-once delivery with idempotent ids: the page that went back online may have sent
    // before it was reloaded, but the collector (which dedupes by id) counts each report once.
    const ids = new Set(reports().map((r) => r.id));
    expect(ids.size).toBe(2);
    expect(new Set(reports().map((r) => r.space))).toEqual(new Set(['lifecycle', 'interest']));
    await p.close();
  });
});
