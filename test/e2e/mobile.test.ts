// The QA demo page and the dashboard on a phone (390 px) and a desktop (1280 px) in real Chromium,
// served by `startDemo()` (what `npm run demo` runs): no horizontal overflow, the network log survives
// a reload (so it agrees with the privacy panel), `not` conditions explained in words, ε stays ε in
// headings, an empty dashboard says "no reports yet", and the auto-refresh updates nodes in place.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { startDemo } from '../../examples/demo/serve.mjs';
// @ts-expect-error plain ESM script without types
import { describeCondition } from '../../examples/demo/why.js';
import { createClient } from '../../src/index';
import { launch, ROOT, type BrowserHandle } from './harness';

const SHOTS = join(ROOT, 'test', 'e2e', 'screenshots');
const DAY = 86_400_000;
let demo: { url: string; readToken: string; close(): Promise<void> };
let browser: BrowserHandle;
let dataDir: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'cohortkit-mobile-'));
  demo = await startDemo({ port: 0, dataDir, quiet: true });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await demo?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const shot = (p: Page, name: string) => p.screenshot({ path: join(SHOTS, name), fullPage: true });
const text = (p: Page, sel: string) => p.locator(sel).innerText();
/** The document is no wider than the viewport (nothing overflows horizontally). */
const widths = (p: Page) => p.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
async function expectNoOverflow(p: Page) {
  const w = await widths(p);
  const culprits = await p.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(-3)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${e.className} in "${e.closest('.card')?.querySelector('h2')?.textContent}" "${e.textContent!.slice(0, 30)}" (${Math.round(e.getBoundingClientRect().right)})`),
  );
  expect(w.doc, `document ${w.doc}px wide in a ${w.view}px viewport: ${culprits.join(', ')}`).toBeLessThanOrEqual(w.view);
  // Nor does anything stick out of its card (a table wider than its card but narrower than the page).
  const wide = await p.evaluate(() =>
    [...document.querySelectorAll('.card')].filter((c) => c.scrollWidth > c.clientWidth).map((c) => `${c.querySelector('h2')?.textContent}: ${c.scrollWidth} > ${c.clientWidth}`),
  );
  expect(wide).toEqual([]);
}
const simulate = (body: object) =>
  fetch(`${demo.url}/qa/simulate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => {
    expect(r.status).toBe(200);
    return r.json();
  });

describe('the demo on a phone and a desktop (Chromium, 390 px and 1280 px)', () => {
  it('an empty collector: the dashboard says "no reports yet", never "0.0 – 0.0", and fits 390 px', async () => {
    const d = await browser.newPage();
    await d.setViewportSize({ width: 390, height: 844 });
    await d.goto(`${demo.url}/dashboard/#token=${demo.readToken}`);
    await d.waitForSelector('[data-space="interest"]');
    const card = d.locator('[data-space="interest"]');
    expect(await card.getAttribute('data-n')).toBe('0');
    expect(await card.innerText()).toContain('no reports yet');
    expect(await card.locator('[data-empty]').count()).toBe(1);
    expect(await card.locator('svg').count()).toBe(0);
    const all = await text(d, '#spaces');
    expect(all).not.toMatch(/0\.0 – 0\.0/);
    expect(await text(d, '[data-goals]')).toContain('no reports yet');
    await expectNoOverflow(d);
    await shot(d, 'dashboard-empty-390.png');
    await d.close();
  });

  it('demo page at 390 px: consent, visitor events, the "why" of a `not`, flush, reload; then at 1280 px', async () => {
    const p = await browser.newPage();
    await p.setViewportSize({ width: 390, height: 844 });
    await p.goto(`${demo.url}/`);
    await p.waitForSelector('body[data-ready]');
    await expectNoOverflow(p); // the banner is open
    await p.click('#banner-accept');
    await p.waitForSelector('#banner', { state: 'hidden' });
    const actions = ['news', 'news', 'news', 'sport', 'sport', 'cart'];
    for (const [i, a] of actions.entries()) {
      await p.click(`[data-action="${a}"]`);
      await p.waitForFunction((n) => document.body.dataset.tracked === String(n), i + 1);
    }

    // The shopper segment: a cart, and `not: { event: 'purchase', within: '30d' }` explained in words, ✓.
    const seg = p.locator('[data-segment="shopper"]');
    await seg.waitFor();
    await seg.locator('summary').click();
    const notRow = seg.locator('tr[data-path="rule.all[1].not.count"]');
    expect(await notRow.locator('.why').innerText()).toBe('no purchase within 30d');
    expect(await notRow.getAttribute('data-holds')).toBe('true');
    expect(await notRow.innerText()).toContain('✓');
    expect(await seg.locator('tr[data-path="rule.all[0].any[0].count"] .why').innerText()).toBe('add_to_cart at least once within 3d');
    // The pricing alternative does not hold (✗), the cart one does.
    expect(await seg.locator('tr[data-path="rule.all[0].any[1].count"]').getAttribute('data-holds')).toBe('false');
    await p.locator('[data-segment="sport-fan"] summary').click();
    expect(await p.locator('[data-segment="sport-fan"] tr[data-path="rule.count"] .why').innerText()).toBe(
      'article_view (section = sport) at least 2 times within 7d',
    );

    // Flush: a report leaves, the privacy panel shows the ε it spent.
    await p.click('#flush');
    await p.waitForFunction(() => /sent [1-9]/.test(document.getElementById('flush-result')!.textContent!));
    await p.locator('#reports li[data-space="interest"]').waitFor();
    const netBefore = await text(p, '#network');
    expect(netBefore).toContain(`POST ${demo.url}/v1/reports`);
    expect(netBefore).toContain('"space":"interest"');
    const privacyBefore = await text(p, '#privacy');
    expect(privacyBefore).toMatch(/interest: grr, ε=1, k=\d+, sent/);
    const bodies = () => p.locator('#network pre.body').allInnerTexts();
    const sentBodies = (await bodies()).filter((b) => b.includes('"space":"interest"'));
    expect(sentBodies.length).toBeGreaterThanOrEqual(1);

    // ε stays lowercase in the headings (no text-transform turns it into Ε).
    const headings = await p.evaluate(() =>
      [...document.querySelectorAll('h1, h2, h3, h4')]
        .filter((e) => e.textContent!.includes('ε'))
        .map((e) => ({ text: (e as HTMLElement).innerText, transform: getComputedStyle(e).textTransform, caps: getComputedStyle(e).fontVariantCaps })),
    );
    expect(headings.length).toBeGreaterThanOrEqual(1);
    for (const hd of headings) {
      expect(hd.text).toContain('ε');
      expect(hd.text).not.toContain('Ε');
      expect(hd.transform).toBe('none');
      expect(hd.caps).toBe('normal');
    }

    await expectNoOverflow(p);

    // Reload: the network panel still lists the report whose ε the privacy panel shows as spent.
    await p.reload();
    await p.waitForSelector('body[data-ready]');
    await p.locator('[data-segment="shopper"]').waitFor();
    const privacyAfter = await text(p, '#privacy');
    expect(privacyAfter).toMatch(/interest: grr, ε=1, k=\d+, sent/);
    const netAfter = await text(p, '#network');
    expect(netAfter).not.toContain('Nothing has left this device');
    expect(netAfter).toContain('before reload');
    expect(await bodies()).toEqual(expect.arrayContaining(sentBodies));
    expect(await p.locator('#reports li[data-space="interest"]').count()).toBeGreaterThanOrEqual(1);
    await p.locator('[data-segment="shopper"] summary').click();
    await p.locator('[data-segment="news-reader"] summary').click();
    await expectNoOverflow(p);
    await shot(p, 'demo-390.png');
    await p.setViewportSize({ width: 360, height: 800 }); // a common Android width: still one column that fits
    await expectNoOverflow(p);

    await p.setViewportSize({ width: 1280, height: 900 });
    await expectNoOverflow(p);
    await shot(p, 'demo-1280.png');
    expect(browser.errors).toEqual([]);
    await p.close();
  });

  it('a hostile or oversized stored network log is cleaned and bounded, never an error', async () => {
    const p = await browser.newPage();
    await p.setViewportSize({ width: 390, height: 844 });
    await p.goto(`${demo.url}/`);
    await p.waitForSelector('body[data-ready]');
    await p.evaluate(() => {
      const ok = (i: number) => ({ at: 1_700_000_000_000 + i, via: 'fetch', method: 'POST', url: `/v1/reports#${i}`, body: `{"n":${i}}`, options: {}, status: 200 });
      const junk = [null, 7, 'x', { at: 'soon' }, { at: Infinity }, { at: 1, status: { evil: 1 }, url: 42, body: ['<img src=x onerror=alert(1)>'], options: 'no' }];
      sessionStorage.setItem('demo:net-log', JSON.stringify([...junk, ...Array.from({ length: 80 }, (_, i) => ok(i)), { at: 2, status: 'pending' }]));
      sessionStorage.setItem('demo:reports', JSON.stringify([null, { space: 1 }, { space: 'interest', epoch: 'never' }, { space: 'interest', epoch: 1e300 }]));
    });
    await p.reload();
    await p.waitForSelector('body[data-ready]');
    const log = await p.evaluate(() => (window as any).demoNetLog as Array<{ url: string; status: unknown; body: string }>);
    expect(log.length).toBeLessThanOrEqual(50);
    expect(log.every((e) => typeof e.url === 'string' && typeof e.status === 'string' && typeof e.body === 'string')).toBe(true);
    expect(log.at(-1)!.status).toBe('unknown (page reloaded)'); // pending when the page went away
    expect(await p.locator('#network img').count()).toBe(0); // text, never markup
    expect(await text(p, '#reports')).toBe('none yet');
    // A new request keeps the stored log bounded.
    await p.evaluate(() => fetch('/demo-config.json').then((r) => r.text()));
    const stored = await p.evaluate(() => JSON.parse(sessionStorage.getItem('demo:net-log')!));
    expect(stored.length).toBe(50);
    expect(stored.at(-1)).toMatchObject({ method: 'GET', status: 200 });
    expect(stored.at(-1).url).toMatch(/\/demo-config\.json$/);
    await expectNoOverflow(p);
    expect(browser.errors).toEqual([]);
    await p.close();
  });

  it('dashboard at 1280 px and 390 px: fits, and the auto-refresh updates the existing nodes in place', async () => {
    const epoch = Math.floor(Date.now() / DAY) - 2;
    await fetch(`${demo.url}/qa/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ offset: 0 }) });
    await simulate({ space: 'interest', n: 200, epoch, truth: [0.5, 0.3, 0.2] });
    await simulate({ space: 'experiment-hero', n: 2000, epoch, truth: [0.1, 0.35, 0.15, 0.3, 0.1] });
    const d = await browser.newPage();
    await d.setViewportSize({ width: 1280, height: 900 });
    await d.goto(`${demo.url}/dashboard/#token=${demo.readToken}`);
    await d.waitForSelector('[data-space="interest"]');
    await d.selectOption('#epoch', String(epoch));
    await d.waitForFunction(() => document.querySelector('[data-space="interest"]')?.getAttribute('data-n') === '200');
    await expectNoOverflow(d);
    await shot(d, 'dashboard-1280.png');
    // No heading is uppercased there either (an ε in one would show as Ε).
    const transforms = await d.evaluate(() => [...document.querySelectorAll('h1, h2, h3, h4')].map((e) => getComputedStyle(e).textTransform));
    expect(transforms.length).toBeGreaterThan(3);
    expect(new Set(transforms)).toEqual(new Set(['none']));

    // Hold nodes, scroll down and select the epoch, then let the collector change under the open page.
    const n = await d.evaluateHandle(() => document.querySelector('[data-space="interest"] .n')!);
    const card = await d.evaluateHandle(() => document.querySelector('[data-space="interest"]')!);
    const bar = await d.evaluateHandle(() => document.querySelector('[data-space="interest"] svg .bar rect')!);
    const option = await d.evaluateHandle(() => (document.getElementById('epoch') as HTMLSelectElement).selectedOptions[0]);
    await d.evaluate(() => window.scrollTo(0, 300));
    const loaded = Number(await d.evaluate(() => document.body.dataset.loaded));
    await simulate({ space: 'interest', n: 300, epoch, truth: [0.2, 0.3, 0.5] });
    await d.waitForFunction(() => document.querySelector('[data-space="interest"]')?.getAttribute('data-n') === '500', undefined, { timeout: 15_000 });
    expect(Number(await d.evaluate(() => document.body.dataset.loaded))).toBeGreaterThan(loaded);
    expect(await n.evaluate((e) => [e.isConnected, e.textContent])).toEqual([true, 'n = 500']);
    expect(await card.evaluate((e) => e.isConnected && e.getAttribute('data-n'))).toBe('500');
    expect(await bar.evaluate((e) => e.isConnected)).toBe(true);
    expect(await option.evaluate((e) => (e as HTMLOptionElement).isConnected && (e as HTMLOptionElement).selected)).toBe(true);
    expect(await d.evaluate(() => window.scrollY)).toBe(300);

    await d.setViewportSize({ width: 390, height: 844 });
    await d.evaluate(() => window.scrollTo(0, 0));
    await expectNoOverflow(d);
    await shot(d, 'dashboard-390.png');
    await d.setViewportSize({ width: 360, height: 800 });
    await expectNoOverflow(d);
    expect(browser.errors).toEqual([]);
    await d.close();
  });
});

describe('the "why" wording of real explanations (examples/demo/why.js)', () => {
  it('words every `not` from a real client: segment, context, lastSeen, count ranges', async () => {
    let t = Date.UTC(2026, 0, 10);
    const segments = [
      { id: 'buyer', description: 'bought', rule: { event: 'purchase', within: '30d' } },
      { id: 'not-buyer', description: 'not a buyer', rule: { not: { segment: 'buyer' } } },
      { id: 'not-mobile', description: 'not mobile', rule: { not: { context: 'device', in: ['mobile'] } } },
      { id: 'quiet', description: 'no view in 2d', rule: { all: [{ event: 'view' }, { not: { event: 'view', lastSeen: { within: '2d' } } }] } },
      { id: 'few', description: 'fewer than 3 views', rule: { not: { event: 'view', count: { gte: 3 } } } },
      { id: 'double', description: 'double not', rule: { not: { not: { event: 'view' } } } },
    ];
    const client = await createClient({ storage: 'memory', now: () => t, namespace: 'why', purposes: [{ id: 'personalization', description: 'p' }], segments } as any);
    await client.consent.update({ personalization: true });
    await client.track('view', {});
    t += 3 * DAY;
    const explain = async (id: string) => {
      const m = (await client.segments()).find((x) => x.id === id);
      expect(m, id).toBeDefined();
      const rule = segments.find((s) => s.id === id)!.rule;
      return m!.explanation.conditions.map((c: any) => describeCondition(rule, c));
    };
    expect(await explain('not-buyer')).toEqual([{ text: 'is not a member of buyer', holds: true }]);
    expect(await explain('not-mobile')).toEqual([{ text: 'device is not mobile', holds: true }]);
    // not (A and B) holds when either fails: "no view" ✗, "no view in the last 2d" ✓ (De Morgan).
    expect(await explain('quiet')).toEqual([
      { text: 'view at least once', holds: true },
      { text: 'no view', holds: false },
      { text: 'no view in the last 2d', holds: true },
    ]);
    expect(await explain('few')).toEqual([{ text: 'view fewer than 3 times', holds: true }]);
    expect(await explain('double')).toEqual([{ text: 'view at least once', holds: true }]);
    // A condition that fails is ✗, worded as written (member of buyer: the visitor never bought).
    const buyerSeg = { not: { segment: 'buyer' } };
    expect(describeCondition(buyerSeg, { path: 'rule.not', passed: true, observed: 'match', expected: 'match' })).toEqual({ text: 'is not a member of buyer', holds: false });
    // Hostile or mismatched input never throws.
    for (const rule of [undefined, null, {}, { all: 'x' }, { not: null }])
      for (const path of ['rule', 'rule.all[9].not', '', 'x.__proto__.constructor'])
        expect(typeof describeCondition(rule, { path, passed: false, expected: { gte: 1 } }).text).toBe('string');
    await client.close?.();
  });
});
