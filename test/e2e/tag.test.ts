// The tag-manager path: only the queue snippet and slot markup on the page, strict CSP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, startServer, type BrowserHandle, type TestServer } from './harness';

let server: TestServer;
let browser: BrowserHandle;
const CSP = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'";

beforeAll(async () => {
  server = await startServer();
  server.pages.set('/tag.html', {
    headers: { 'content-security-policy': CSP },
    body: `<!doctype html><html><head><meta charset="utf-8">
<script src="/test/e2e/fixtures/tag-page.js"></script>
<script async src="/dist/cohortkit.iife.js"></script></head>
<body>
<section id="hero" data-cohortkit-slot="hero">
  <h1>Welcome</h1>
  <template data-variant="news-reader"><h1>Your news briefing</h1></template>
</section>
</body></html>`,
  });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('tag bundle in Chromium under a strict CSP', () => {
  it('replays commands pushed before load, personalizes after consent, falls back after withdrawal', async () => {
    const p = await browser.newPage();
    const violations: string[] = [];
    p.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
    await p.goto(`${server.url}/tag.html`);
    await p.waitForFunction(() => (window as any).probe !== undefined, undefined, { timeout: 10_000 });
    expect(await p.evaluate(() => (window as any).probe)).toEqual({ value: 'yes', reason: 'segment', segment: 'news-reader' });
    await p.waitForSelector('#hero[data-cohortkit-reason="segment"]', { timeout: 10_000 });
    expect(await p.textContent('#hero h1')).toBe('Your news briefing');
    // window.cohortkit is now the client with push()
    const isClient = await p.evaluate(() => typeof (window as any).cohortkit.consent.get === 'function' && typeof (window as any).cohortkit.push === 'function');
    expect(isClient).toBe(true);
    // withdrawal: the slot goes back to the fallback content
    await p.evaluate(() => (window as any).cohortkit.push(['consent', { personalization: false }, { source: 'preference-center' }]));
    await p.waitForSelector('#hero:not([data-cohortkit-reason="segment"])', { timeout: 10_000 });
    expect(await p.textContent('#hero h1')).toBe('Welcome');
    expect(violations).toEqual([]);
    expect(browser.errors).toEqual([]);
    await p.close();
  });
});
