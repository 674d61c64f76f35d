// The tag-manager path: only the queue snippet and slot markup on the page, strict CSP.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, launch, startServer, type BrowserHandle, type TestServer } from './harness';

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
  // interop configured: the bundle loads its CMP add-on (cohortkit-interop.js) from its own directory.
  const tcfPage = (bundle: string) => ({
    headers: { 'content-security-policy': CSP },
    body: `<!doctype html><html><head><meta charset="utf-8">
<script src="/test/e2e/fixtures/tcf-stub.js"></script>
<script src="/test/e2e/fixtures/tag-tcf-page.js"></script>
<script async src="${bundle}"></script></head><body></body></html>`,
  });
  server.pages.set('/tag-tcf.html', tcfPage('/dist/cohortkit.iife.js'));
  // The same bundle served from a directory without the add-on: its load fails.
  server.pages.set('/tag-tcf-missing.html', tcfPage('/elsewhere/cohortkit.iife.js'));
  server.pages.set('/elsewhere/cohortkit.iife.js', {
    headers: { 'content-type': 'text/javascript; charset=utf-8' },
    body: readFileSync(join(ROOT, 'dist/cohortkit.iife.js'), 'utf8'),
  });
  // The same page under Trusted Types: with the policy the bundle makes allowed, and without it.
  const tagPage = server.pages.get('/tag.html')!;
  const tt = (policies: string) => ({ ...tagPage, headers: { 'content-security-policy': `${CSP}; require-trusted-types-for 'script'; trusted-types ${policies}` } });
  server.pages.set('/tag-tt.html', tt('cohortkit'));
  server.pages.set('/tag-tt-refused.html', tt('other'));
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
    // the context reader (an add-on) loaded and classified the device
    expect(await p.evaluate(() => (window as any).probe2)).toEqual({ value: 'read', reason: 'segment', segment: 'any-device' });
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

describe('tag bundle: the CMP add-on under a strict CSP', () => {
  type Page = import('playwright-core').Page;
  const history = (p: Page) =>
    p.evaluate(async () =>
      ((await (window as any).cohortkit.consent.history()) as Array<{ purpose: string; granted: boolean; source: string }>).map((r) => [r.purpose, r.granted, r.source]),
    );
  const open = async (path: string) => {
    const p = await browser.newPage();
    const violations: string[] = [];
    const requested: string[] = [];
    p.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
    p.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await p.goto(`${server.url}${path}`);
    await p.waitForFunction(() => typeof (window as any).cohortkit?.consent?.get === 'function', undefined, { timeout: 10_000 });
    return { p, violations, requested };
  };

  it('loads cohortkit-interop.js from the bundle\'s directory; TCF choices are recorded with source tcf, only on change', async () => {
    const { p, violations, requested } = await open('/tag-tcf.html');
    expect(requested).toContain('/dist/cohortkit-interop.js');
    expect(await p.evaluate(() => typeof (window as any).CohortkitInterop.connectTCF)).toBe('function');
    // the stub answered tcloaded with purposes 1, 3, 4 (not 7): personalization granted, measurement denied.
    // Wait until both are decided: an update's denial takes effect before its records are written
    // (so nothing new slips in), its grant only once all are written, so mid-update measurement is
    // denied and personalization still unset (a failed CI run read consent at that moment).
    await p.waitForFunction(() => Object.values((window as any).cohortkit.consent.get()).every((v) => v !== 'unset'), undefined, { timeout: 10_000 });
    expect(await p.evaluate(() => (window as any).cohortkit.consent.get())).toEqual({ personalization: 'granted', measurement: 'denied' });
    expect((await history(p)).sort()).toEqual([
      ['measurement', false, 'tcf'],
      ['personalization', true, 'tcf'],
    ]);
    // the same state announced again records nothing; a change records only the purpose that changed
    await p.evaluate(() => (window as any).tcfUserAction({ 1: true, 3: true, 4: true, 7: false }));
    await p.evaluate(() => (window as any).tcfUserAction({ 1: true, 3: true, 4: true, 7: true }));
    await p.waitForFunction(() => (window as any).cohortkit.consent.get().measurement === 'granted', undefined, { timeout: 10_000 });
    await p.waitForTimeout(200);
    expect((await history(p)).length).toBe(3);
    expect((await history(p))[2]).toEqual(['measurement', true, 'tcf']);
    expect(requested.filter((x) => x.endsWith('cohortkit-interop.js'))).toHaveLength(1);
    expect(violations).toEqual([]);
    expect(browser.errors).toEqual([]);
    await p.close();
  });

  it('an add-on that cannot be loaded emits error (network) and the client runs without it; the page sees nothing', async () => {
    const before = browser.errors.length;
    const { p, violations, requested } = await open('/tag-tcf-missing.html');
    expect(requested).toContain('/elsewhere/cohortkit-interop.js');
    const errors = await p.evaluate(
      () =>
        new Promise<Array<{ name: string; code: string; message: string }>>((resolve) => {
          const seen: Array<{ name: string; code: string; message: string }> = [];
          (window as any).cohortkit.on('error', (e: any) => seen.push({ name: e.name, code: e.code, message: e.message }));
          setTimeout(() => resolve(seen), 100);
        }),
    );
    expect(errors).toEqual([
      { name: 'CohortkitError', code: 'network', message: expect.stringContaining('cohortkit-interop.js could not be loaded from') },
    ]);
    // no CMP choice was recorded; the visitor's own choice still is
    expect(await p.evaluate(() => (window as any).cohortkit.consent.get())).toEqual({ personalization: 'unset', measurement: 'unset' });
    await p.evaluate(() => (window as any).cohortkit.push(['consent', { personalization: true }, { source: 'banner' }]));
    expect(await history(p)).toEqual([['personalization', true, 'banner']]);
    expect(violations).toEqual([]);
    // only the 404 itself shows in the console; no page error
    expect(browser.errors.slice(before).filter((e) => !/404/.test(e))).toEqual([]);
    await p.close();
  });
});

describe('tag bundle under Trusted Types (require-trusted-types-for \'script\')', () => {
  it('with the policy "cohortkit" allowed, the add-ons load (personalization and the context reader) and nothing is refused', async () => {
    const before = browser.errors.length;
    const p = await browser.newPage();
    await p.goto(`${server.url}/tag-tt.html`);
    await p.waitForFunction(() => (window as any).probe2 !== undefined, undefined, { timeout: 10_000 });
    expect(await p.evaluate(() => (window as any).probe)).toEqual({ value: 'yes', reason: 'segment', segment: 'news-reader' });
    expect(await p.evaluate(() => (window as any).probe2)).toEqual({ value: 'read', reason: 'segment', segment: 'any-device' });
    await p.waitForSelector('#hero[data-cohortkit-reason="segment"]', { timeout: 10_000 });
    expect(await p.textContent('#hero h1')).toBe('Your news briefing');
    expect(browser.errors.slice(before)).toEqual([]);
    await p.close();
  });

  it('without it, the add-ons cannot load: the error names the policy to allow, decisions fall back, the page sees no uncaught error', async () => {
    const before = browser.errors.length;
    const p = await browser.newPage();
    await p.goto(`${server.url}/tag-tt-refused.html`);
    await p.waitForFunction(() => (window as any).probe !== undefined, undefined, { timeout: 10_000 });
    expect(await p.evaluate(() => (window as any).probe)).toMatchObject({ value: 'no' });
    const errors = await p.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const seen: string[] = [];
          (window as any).cohortkit.on('error', (e: any) => seen.push(`${e.code}: ${e.message}`));
          setTimeout(() => resolve(seen), 100);
        }),
    );
    expect(errors).toContain('network: cohortkit: add-on cohortkit-personalize.js could not be loaded (Trusted Types: allow the policy "cohortkit")');
    await p.waitForSelector('#hero[data-cohortkit-reason="error"]', { timeout: 10_000 });
    expect(await p.textContent('#hero h1')).toBe('Welcome');
    // What the browser itself logs (the refused policy and assignment); nothing uncaught.
    const mine = browser.errors.slice(before);
    expect(mine.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    expect(mine.every((e) => /Trusted|trusted-types|TrustedScriptURL|cohortkit:/.test(e))).toBe(true);
    await p.close();
  });
});
