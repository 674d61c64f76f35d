// The script tag must not cost a site its back/forward cache (an instant back navigation is a Core
// Web Vitals matter): no unload handler, and its open IndexedDB connection, BroadcastChannel and
// timers do not make the page ineligible. Chromium with the cache on (playwright turns it off).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, startServer, type BrowserHandle, type TestServer } from './harness';

let server: TestServer;
let browser: BrowserHandle;
beforeAll(async () => {
  server = await startServer();
  server.pages.set('/bf-a.html', {
    body: `<!doctype html><html><head><meta charset="utf-8"><script src="/test/e2e/fixtures/bfcache-page.js"></script>
<script src="/dist/cohortkit.iife.js"></script></head><body><a id="next" href="/bf-b.html">next</a></body></html>`,
  });
  server.pages.set('/bf-b.html', { body: '<!doctype html><html><body>another page</body></html>' });
  server.handler = (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url!.startsWith('/v1/reports')) return false;
    res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
    return true;
  };
  browser = await launch({ bfcache: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('back/forward cache', () => {
  it('a page running cohortkit (consented, tracking, reporting) is restored from it, and the client works after', async () => {
    const p = await browser.newPage();
    const cdp = await browser.context.newCDPSession(p);
    await cdp.send('Page.enable');
    const notRestored: string[] = [];
    cdp.on('Page.backForwardCacheNotUsed', (e) => notRestored.push(...e.notRestoredExplanations.map((x) => x.reason)));
    await p.goto(`${server.url}/bf-a.html`);
    await p.waitForFunction(() => typeof (window as any).cohortkit?.track === 'function', undefined, { timeout: 10_000 });
    await p.evaluate(async () => {
      const c = (window as any).cohortkit;
      await c.track('article_view');
      await c.flush();
    });
    await p.click('#next');
    await p.waitForURL('**/bf-b.html');
    await p.goBack({ waitUntil: 'commit' });
    await p.waitForFunction(() => sessionStorage.getItem('shows')?.length === 2, undefined, { timeout: 10_000 });
    expect({ shows: await p.evaluate(() => sessionStorage.getItem('shows')), notRestored }).toEqual({ shows: 'NP', notRestored: [] });
    const after = await p.evaluate(async () => {
      const c = (window as any).cohortkit;
      return { tracked: await c.track('article_view', { page: 2 }), segments: (await c.segments()).map((m: any) => m.id), verified: await c.consent.verify() };
    });
    expect(after).toEqual({ tracked: { stored: true, reason: 'stored' }, segments: ['reader'], verified: true });
    expect(browser.errors).toEqual([]);
    await p.close();
  });
});
