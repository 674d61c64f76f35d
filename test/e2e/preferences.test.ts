// The preference center (dist/cohortkit-ui.iife.js) in real Chromium under
// Content-Security-Policy: script-src 'self'; style-src 'self'.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, ROOT, startServer, type BrowserHandle, type TestServer } from './harness';

const SHOTS = join(ROOT, 'test', 'e2e', 'screenshots');
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'";
let server: TestServer;
let browser: BrowserHandle;

// The page's own scripts (files of their own: no inline script under this CSP). The listener
// loads first, so it hears every violation from the bundles on.
const LISTEN_JS = `window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));`;
const PAGE_JS = `
(async () => {
  const client = await Cohortkit.createClient({
    namespace: 'prefs-' + location.search.slice(1),
    purposes: [
      { id: 'personalization', description: 'Tailor articles and offers to what you read here' },
      { id: 'measurement', description: 'Send randomized cohort reports so we can count audiences' },
    ],
    segments: [
      { id: 'sport-fan', description: 'Follows sport (2+ sport articles)', goal: 'retention',
        rule: { event: 'article_view', where: { section: 'sport' }, count: { gte: 2 } } },
    ],
  });
  window.client = client;
  CohortkitUI.definePreferenceCenter(client);
  window.ready = true;
})().catch((e) => { window.setupError = String(e); });
`;

// What the policy allows for styles in a shadow root, and the component's fallback for engines
// without constructable stylesheets (simulated by removing replaceSync): it links the shipped CSS.
const PROBE_JS = `
(async () => {
  if (document.readyState === 'loading') await new Promise((r) => addEventListener('DOMContentLoaded', r));
  const probe = (build) => {
    const host = document.createElement('div');
    document.body.append(host);
    const root = host.attachShadow({ mode: 'open' });
    const p = document.createElement('p');
    build(root);
    root.append(p);
    return p;
  };
  const inline = probe((r) => { const s = document.createElement('style'); s.textContent = 'p { letter-spacing: 7px }'; r.append(s); });
  const linked = probe((r) => { const l = document.createElement('link'); l.rel = 'stylesheet'; l.href = '/dist/cohortkit-ui.css'; r.append(l); });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync('p { letter-spacing: 5px }');
  const adopted = probe((r) => { r.adoptedStyleSheets = [sheet]; });
  delete CSSStyleSheet.prototype.replaceSync;
  const client = await Cohortkit.createClient({ namespace: 'fallback' });
  CohortkitUI.definePreferenceCenter(client, { stylesheet: '/dist/cohortkit-ui.css' });
  document.body.append(document.createElement('cohortkit-preferences'));
  await new Promise((r) => setTimeout(r, 300));
  const root = document.querySelector('cohortkit-preferences').shadowRoot;
  window.probe = {
    inline: getComputedStyle(inline).letterSpacing,
    adopted: getComputedStyle(adopted).letterSpacing,
    linkedLoaded: !!linked.getRootNode().querySelector('link').sheet,
    component: { links: root.querySelectorAll('link[rel="stylesheet"]').length, styles: root.querySelectorAll('style').length,
      radius: getComputedStyle(root.querySelector('.ck')).borderTopLeftRadius },
  };
})().catch((e) => { window.probe = String(e); });
`;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  server.pages.set('/listen.js', { body: LISTEN_JS, headers: { 'content-type': 'text/javascript; charset=utf-8' } });
  server.pages.set('/prefs.js', { body: PAGE_JS, headers: { 'content-type': 'text/javascript; charset=utf-8' } });
  server.pages.set('/probe.js', { body: PROBE_JS, headers: { 'content-type': 'text/javascript; charset=utf-8' } });
  server.pages.set('/probe.html', {
    headers: { 'content-security-policy': CSP },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Probe</title>
<script src="/listen.js"></script><script src="/dist/cohortkit.iife.js"></script><script src="/dist/cohortkit-ui.iife.js"></script>
<script src="/probe.js"></script></head><body></body></html>`,
  });
  server.pages.set('/prefs.html', {
    headers: { 'content-security-policy': CSP },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Preferences</title>
<script src="/listen.js"></script>
<script src="/dist/cohortkit.iife.js"></script>
<script src="/dist/cohortkit-ui.iife.js"></script>
<script src="/prefs.js"></script>
</head><body><h1>Example shop</h1><p><a href="#top">Skip</a></p>
<cohortkit-preferences></cohortkit-preferences>
</body></html>`,
  });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The element's open shadow root, queried from the page. */
const inShadow = <T>(p: Page, fn: (root: ShadowRoot) => T) =>
  p.evaluate(`(${fn.toString()})(document.querySelector('cohortkit-preferences').shadowRoot)`) as Promise<T>;

async function open(name: string, width = 1280) {
  const p = await browser.newPage();
  await p.setViewportSize({ width, height: 900 });
  await p.goto(`${server.url}/prefs.html?${name}`);
  await p.waitForFunction(() => (window as any).ready || (window as any).setupError);
  expect(await p.evaluate(() => (window as any).setupError)).toBeUndefined();
  await p.waitForSelector('cohortkit-preferences[data-ready]');
  return p;
}

describe('<cohortkit-preferences> in Chromium under a strict CSP', () => {
  it('toggles consent (ledger shows preference-center), keyboard, why, download, forget; no CSP violation, no page error', async () => {
    const p = await open('main');
    // The stylesheet really applies (constructable stylesheet, no inline style).
    const styled = await inShadow(p, (r) => ({
      adopted: r.adoptedStyleSheets.length,
      styleEls: r.querySelectorAll('style, [style]').length,
      radius: getComputedStyle(r.querySelector('.ck')!).borderTopLeftRadius,
    }));
    expect(styled).toEqual({ adopted: 1, styleEls: 0, radius: '10px' });

    // Accessible names contain the purpose ids (Playwright's role queries pierce the open shadow root).
    const perso = p.getByRole('checkbox', { name: /personalization/ });
    const meas = p.getByRole('checkbox', { name: /measurement/ });
    expect(await perso.isChecked()).toBe(false);
    await perso.click();
    await p.locator('cohortkit-preferences tr[data-ck-source="preference-center"]').waitFor();
    expect(await p.evaluate(() => (window as any).client.consent.history().then((h: any[]) => h.map((r) => [r.purpose, r.granted, r.source])))).toEqual([
      ['personalization', true, 'preference-center'],
    ]);
    expect(await p.locator('cohortkit-preferences .ck-verify').innerText()).toMatch(/Ledger verified/);
    expect(await p.getByRole('status').innerText()).toBe('personalization: allowed.');

    // Keyboard: Tab from the top of the page to the measurement checkbox, Space toggles it.
    await p.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    let reached = false;
    for (let i = 0; i < 25 && !reached; i++) {
      await p.keyboard.press('Tab');
      reached = await p.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute('name') === 'measurement');
    }
    expect(reached).toBe(true);
    await p.keyboard.press('Space');
    await p.waitForFunction(() => (window as any).client.consent.get().measurement === 'granted');
    expect(await meas.isChecked()).toBe(true);
    // Focus stayed on the checkbox through the re-render.
    await p.locator('cohortkit-preferences tr[data-ck-seq="2"]').waitFor();
    expect(await p.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute('name'))).toBe('measurement');

    // Memberships with their explanation.
    await p.evaluate(async () => {
      const c = (window as any).client;
      await c.track('article_view', { section: 'sport', id: 'a1' });
      await c.track('article_view', { section: 'sport', id: 'a2' });
    });
    const seg = p.locator('cohortkit-preferences details[data-ck-segment="sport-fan"]');
    await seg.waitFor();
    await seg.locator('summary').click();
    expect(await seg.innerText()).toMatch(/Follows sport[\s\S]*every condition holds[\s\S]*rule\.count[\s\S]*article_view ×2/);

    // Download my data: a real download of the exportData() JSON.
    const [download] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Download my data' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^cohortkit-data-\d{4}-\d\d-\d\d\.json$/);
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(exported.consent.history.map((r: any) => r.source)).toEqual(['preference-center', 'preference-center']);
    expect(exported.segments.map((m: any) => m.id)).toEqual(['sport-fan']);

    // 320 px: nothing overflows horizontally, the ledger scrolls inside its own box.
    await p.setViewportSize({ width: 320, height: 900 });
    await p.waitForTimeout(50);
    const widths = await p.evaluate(() => ({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth }));
    expect(widths.doc).toBeLessThanOrEqual(320);
    expect(widths.body).toBeLessThanOrEqual(320);
    await p.screenshot({ path: join(SHOTS, 'preferences-320.png'), fullPage: true });
    await p.setViewportSize({ width: 1280, height: 900 });
    await p.screenshot({ path: join(SHOTS, 'preferences-1280.png'), fullPage: true });

    // Forget everything: a confirmation inside the component (a window.confirm would block here).
    await p.getByRole('button', { name: 'Forget everything' }).click();
    const yes = p.getByRole('button', { name: 'Yes, forget everything' });
    await yes.waitFor();
    expect(await p.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.textContent)).toBe('Cancel');
    await yes.click();
    await p.waitForFunction(() => Object.values((window as any).client.consent.get()).every((v) => v === 'unset'));
    await p.locator('cohortkit-preferences .ck-verify', { hasText: 'No consent decision recorded yet' }).waitFor();
    expect(await perso.isChecked()).toBe(false);
    expect(await p.locator('cohortkit-preferences table').count()).toBe(0);

    expect(await p.evaluate(() => (window as any).cspViolations)).toEqual([]);
    expect(browser.errors).toEqual([]);

    // Control: the policy is enforced and the listener hears it (so the empty list above means something).
    await p.evaluate(() => document.body.setAttribute('style', 'color: red'));
    await p.waitForFunction(() => (window as any).cspViolations.length > 0);
    expect((await p.evaluate(() => (window as any).cspViolations))[0]).toMatch(/^style-src/);
    browser.errors.length = 0; // the control's console error is expected
    await p.close();
  });

  it('shadow-root styles under style-src self: <style> is blocked, adopted sheets and linked files apply; without constructable sheets the component links its CSS', async () => {
    const p = await browser.newPage();
    await p.goto(`${server.url}/probe.html`);
    await p.waitForFunction(() => (window as any).probe !== undefined, undefined, { timeout: 15_000 });
    const probe = await p.evaluate(() => (window as any).probe);
    expect(probe).toEqual({
      inline: 'normal', // the <style> in a shadow root did not apply…
      adopted: '5px', // …a constructable stylesheet did…
      linkedLoaded: true, // …and so does a same-origin file
      component: { links: 1, styles: 0, radius: '10px' },
    });
    const violations: string[] = await p.evaluate(() => (window as any).cspViolations);
    // Exactly one violation: the probe's own <style> (so nothing of the component's).
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(/^style-src-elem inline/);
    browser.errors.length = 0; // the probe's refused <style> is logged by Chromium
    await p.close();
  });
});
