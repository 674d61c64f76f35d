// Private reporting and the tag bundle, written once and run in Chromium, Firefox and WebKit.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './harness';
import { launchEngine, selectedEngines, type Engine, type EnginePage } from './engines';
import { registerPages } from './engines/pages';

type W = any; // the page's window, as the fixtures shape it
let server: TestServer;
/** While true, the collector route drops every connection: what a page sees when offline. */
let unreachable = false;
const received: Array<{ body: unknown; headers: Record<string, unknown> }> = [];
const reports = () => received.flatMap((r) => (Array.isArray(r.body) ? r.body : [r.body])) as Array<Record<string, unknown>>;

beforeAll(async () => {
  server = await startServer();
  registerPages(server);
  server.handler = (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url!.startsWith('/v1/reports')) return false;
    if (unreachable) return req.socket.destroy(), true;
    received.push({ body: JSON.parse((req as unknown as { bodyText: string }).bodyText), headers: { ...req.headers } });
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1,"rejected":[]}');
    return true;
  };
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

  it(`[${name}] flush() sends one report per space, with no cookie, no referer, no event data`, async () => {
    received.length = 0;
    const p = await open('/app.html?utm_source=newsletter');
    const out = await p.evaluate(async (endpoint) => {
      document.cookie = 'session=secret; path=/';
      const c = await (window as W).app.client(`report-${Date.now()}`, endpoint);
      await c.consent.update({ personalization: true, measurement: true }, { source: 'banner' });
      await c.track('article_view', { category: 'news' });
      return { first: await c.flush(), second: await c.flush(), cookie: document.cookie };
    }, `${server.url}/v1/reports`);
    expect(out).toEqual({ first: { sent: 2, queued: 0 }, second: { sent: 0, queued: 0 }, cookie: 'session=secret' });
    expect(reports().map((r) => r.space).sort()).toEqual(['interest', 'lifecycle']);
    for (const r of received) {
      expect(r.headers.cookie).toBeUndefined();
      expect(r.headers.referer).toBeUndefined();
      expect(String(r.headers['content-type'])).toMatch(/^text\/plain/);
    }
    const text = JSON.stringify(reports());
    for (const leak of ['article_view', 'news', 'newsletter', 'secret', 'app.html']) expect(text).not.toContain(leak);
    await p.close();
    expect(await engine.errors()).toEqual([]);
  });

  it(`[${name}] collector unreachable → queued in IndexedDB → reload → delivered exactly once`, async () => {
    received.length = 0;
    unreachable = true;
    const ns = `offline-${name}`;
    const endpoint = `${server.url}/v1/reports`;
    const p = await open('/app.html');
    const offline = await p.evaluate(
      async ([ns, endpoint]) => {
        const c = await (window as W).app.client(ns, endpoint);
        await c.consent.update({ personalization: true, measurement: true });
        return c.flush();
      },
      [ns, endpoint],
    );
    expect(offline).toEqual({ sent: 0, queued: 2 });
    expect(received).toHaveLength(0);
    unreachable = false;
    await p.reload();
    const online = await p.evaluate(
      async ([ns, endpoint]) => {
        const c = await (window as W).app.client(ns, endpoint);
        await c.flush();
        return { again: await c.flush(), queued: (await c.exportData()).reports.queued.length };
      },
      [ns, endpoint],
    );
    expect(online).toEqual({ again: { sent: 0, queued: 0 }, queued: 0 });
    // at-least-once with idempotent ids: each of the two reports arrives, none is lost
    expect(new Set(reports().map((r) => r.id)).size).toBe(2);
    expect(new Set(reports().map((r) => r.space))).toEqual(new Set(['lifecycle', 'interest']));
    await p.close();
    // Chromium itself logs each failed request ("Failed to load resource: net::ERR_EMPTY_RESPONSE");
    // nothing else may reach the console
    expect((await engine.errors()).filter((e) => !/^console: Failed to load resource: net::ERR_/.test(e))).toEqual([]);
  });

  it(`[${name}] reports queued while the collector was unreachable leave with the page (navigating away)`, async () => {
    received.length = 0;
    unreachable = true;
    const p = await open('/app.html');
    const offline = await p.evaluate(async (endpoint) => {
      const c = await (window as W).app.client(`leave-${Date.now()}`, endpoint);
      await c.consent.update({ personalization: true, measurement: true });
      return c.flush();
    }, `${server.url}/v1/reports`);
    expect(offline).toEqual({ sent: 0, queued: 2 });
    unreachable = false;
    // the page goes away: visibilitychange → hidden, then no task of its ever runs again
    await p.goto(`${server.url}/blank.html`);
    const end = Date.now() + 5000;
    while (reports().length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(new Set(reports().map((r) => r.space))).toEqual(new Set(['lifecycle', 'interest']));
    for (const r of received) expect(r.headers.cookie).toBeUndefined();
    await p.close();
    expect((await engine.errors()).filter((e) => !/^console: Failed to load resource: net::ERR_/.test(e))).toEqual([]);
  });

  it(`[${name}] tag bundle under a strict CSP: queued commands replay, the slot personalizes, withdrawal restores it`, async () => {
    const p = await open('/tag.html');
    await p.waitFor(() => (window as W).probe !== undefined);
    expect(await p.evaluate(() => (window as W).probe)).toEqual({ value: 'yes', reason: 'segment', segment: 'news-reader' });
    // the context reader (an add-on) loaded and classified the device
    expect(await p.evaluate(() => (window as W).probe2)).toEqual({ value: 'read', reason: 'segment', segment: 'any-device' });
    await p.waitFor(() => document.querySelector('#hero')!.getAttribute('data-cohortkit-reason') === 'segment');
    expect(await p.evaluate(() => document.querySelector('#hero h1')!.textContent)).toBe('Your news briefing');
    expect(await p.evaluate(() => typeof (window as W).cohortkit.consent.get === 'function' && typeof (window as W).cohortkit.push === 'function')).toBe(true);
    await p.evaluate(() => (window as W).cohortkit.push(['consent', { personalization: false }, { source: 'preference-center' }]));
    await p.waitFor(() => document.querySelector('#hero')!.getAttribute('data-cohortkit-reason') !== 'segment');
    expect(await p.evaluate(() => document.querySelector('#hero h1')!.textContent)).toBe('Welcome');
    await p.close();
    expect(await engine.errors()).toEqual([]);
  });
});
