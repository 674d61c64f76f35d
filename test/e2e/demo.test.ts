// The QA demo end to end in real Chromium: `startDemo()` (what `npm run demo` runs) serves the
// collector, the demo page and the dashboard on one origin; a visitor consents, acts, gets a
// segment and a personalized slot, flushes a report the dashboard counts, then withdraws.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { startDemo } from '../../examples/demo/serve.mjs';
import { launch, ROOT, type BrowserHandle } from './harness';

const SHOTS = join(ROOT, 'test', 'e2e', 'screenshots');
let demo: { url: string; readToken: string; close(): Promise<void> };
let browser: BrowserHandle;
let dataDir: string;
const requests: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'cohortkit-demo-'));
  demo = await startDemo({ port: 0, dataDir, quiet: true });
  browser = await launch();
  browser.context.on('request', (r) => requests.push(r.url()));
});
afterAll(async () => {
  await browser?.close();
  await demo?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const shot = (p: Page, name: string) => p.screenshot({ path: join(SHOTS, name), fullPage: true });
const text = (p: Page, sel: string) => p.locator(sel).innerText();

/** Counts of the demo client's IndexedDB stores, read from the page. */
const idbCounts = (p: Page) =>
  p.evaluate(
    () =>
      new Promise<{ signals: number; memberships: number }>((resolve, reject) => {
        const open = indexedDB.open('cohortkit:demo');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('signals')) return db.close(), resolve({ signals: 0, memberships: 0 });
          const tx = db.transaction(['signals', 'memberships']);
          const s = tx.objectStore('signals').count();
          const m = tx.objectStore('memberships').count();
          tx.oncomplete = () => (db.close(), resolve({ signals: s.result, memberships: m.result }));
          tx.onerror = () => reject(tx.error);
        };
      }),
  );

describe('npm run demo: the QA demo page and the dashboard in Chromium', () => {
  it('consent → events → segment with explanation → personalized slot → flush → dashboard → withdrawal', async () => {
    const p = await browser.newPage();
    await p.setViewportSize({ width: 1320, height: 900 });
    await p.goto(`${demo.url}/`);
    await p.waitForSelector('body[data-ready]');

    // Nothing consented: the banner asks, nothing has left the device, only the context-only segment applies.
    await expect(p.locator('#banner').isVisible()).resolves.toBe(true);
    expect(await text(p, '#policy-version')).toBe('2025-06');
    expect(await text(p, '#network')).toContain('Nothing has left this device');
    const before = await text(p, '[data-slot="recommendation"] .slot-value');
    await shot(p, 'demo-1-banner.png');

    // Consent through the banner's toggles.
    await p.check('#banner-purposes input[name="personalization"]');
    await p.check('#banner-purposes input[name="measurement"]');
    await p.click('#banner-save');
    await p.waitForSelector('#banner', { state: 'hidden' });
    // The preference center is the shipped <cohortkit-preferences> (its shadow root is open).
    await p.waitForFunction(() => document.getElementById('prefs')?.shadowRoot?.querySelectorAll('tbody tr').length === 2);
    expect(await text(p, '#prefs tbody')).toMatch(/personalization[\s\S]*banner[\s\S]*measurement[\s\S]*banner/);
    expect(await text(p, '#prefs .ck-verify')).toContain('verified');

    // Act like a visitor: three news articles, two sport articles, a search (dropped at the door).
    const actions = ['news', 'news', 'news', 'sport', 'sport', 'search'];
    for (const [i, a] of actions.entries()) {
      await p.click(`[data-action="${a}"]`);
      await p.waitForFunction((n) => document.body.dataset.tracked === String(n), i + 1);
    }
    expect(await text(p, '#track-log')).toContain('search {"q":"running shoes"} → unreferenced');

    // The segment appears, with its explanation (path / observed / expected), lineage and lapse time.
    const seg = p.locator('[data-segment="sport-fan"]');
    await seg.waitFor();
    await seg.locator('summary').click();
    const why = await seg.innerText();
    expect(why).toContain('match');
    expect(why).toContain('rule.count');
    expect(why).toMatch(/Signals used: article_view ×2/);
    expect(why).toMatch(/lapses .*unless renewed/);
    await p.locator('[data-segment="news-reader"]').waitFor();

    // The recommendation slot changed, and says why.
    const slot = p.locator('[data-slot="recommendation"]');
    await p.waitForFunction(() => document.querySelector('[data-slot="recommendation"]')?.getAttribute('data-reason') === 'segment');
    const after = await slot.locator('.slot-value').innerText();
    expect(after).not.toBe(before);
    expect(after).toContain('Sport');
    expect(await slot.locator('.reason').innerText()).toContain('sport-fan');
    expect(['segment', 'holdout']).toContain(await p.locator('[data-slot="hero"]').getAttribute('data-reason'));

    // Flush: the reports show in the network panel exactly as sent, and via on('report').
    const stored = await idbCounts(p);
    expect(stored.signals).toBeGreaterThan(0);
    expect(stored.memberships).toBeGreaterThan(0);
    await p.click('#flush');
    await p.waitForFunction(() => /sent [1-9]/.test(document.getElementById('flush-result')!.textContent!));
    await p.locator('#reports li[data-space="interest"]').waitFor();
    const net = await text(p, '#network');
    expect(net).toContain(`POST ${demo.url}/v1/reports`);
    expect(net).toContain('"space":"interest"');
    expect(net).toContain('credentials: omit');
    // The privacy panel re-renders from exportData() after flush() resolves (demo.js: refresh()), a
    // moment after #flush-result and the on('report') list: wait for it rather than read it at once.
    await p.waitForFunction(() => /grr, ε=1/.test(document.getElementById('privacy')!.textContent!), undefined, { timeout: 10_000 }).catch(() => undefined);
    expect(await text(p, '#privacy')).toMatch(/grr, ε=1/);
    await shot(p, 'demo-2-journey.png');

    // The dashboard counts it, once given the read token it asks for (the collector answers 401).
    const d = await browser.newPage();
    await d.setViewportSize({ width: 1320, height: 900 });
    await d.goto(`${demo.url}/dashboard/`);
    await d.waitForSelector('#token-form:not([hidden])');
    await d.fill('#token-form input[name="token"]', demo.readToken);
    await d.click('#token-form button');
    await d.waitForSelector('[data-space="interest"]');
    // The one console line expected: Chromium logs the 401 that made the dashboard ask for the token.
    const seen401 = browser.errors.filter((e) => /status of 401/.test(e));
    expect(seen401).toHaveLength(1);
    browser.errors.splice(browser.errors.indexOf(seen401[0]), 1);
    expect(Number(await d.locator('[data-space="interest"]').getAttribute('data-n'))).toBeGreaterThanOrEqual(1);
    expect(await d.locator('[data-space="interest"] svg .bar').count()).toBe(3);
    // Cohorts grouped by their segment's goal (the segment catalog the demo server publishes).
    expect(await d.locator('[data-goals]').getAttribute('data-goals')).toBe('activation retention reactivation');
    expect(await d.locator('[data-goal="retention"] tbody').innerText()).toMatch(/interest\s+sport\s+sport-fan/);
    expect(await d.locator('[data-goal="reactivation"] tr[data-cohort="lifecycle/lapsed"]').count()).toBe(1);
    await shot(d, 'dashboard-1-live.png');
    await d.close();

    // Withdraw both purposes in the preference center: storage and the segments panel empty out.
    await p.uncheck('#prefs input[name="personalization"]');
    await p.waitForFunction(() => document.getElementById('prefs')?.shadowRoot?.querySelectorAll('tbody tr').length === 3);
    await p.uncheck('#prefs input[name="measurement"]');
    await p.waitForFunction(() => document.getElementById('prefs')?.shadowRoot?.querySelectorAll('tbody tr').length === 4);
    expect(await text(p, '#prefs tbody')).toMatch(/preference-center[\s\S]*signals, [1-9]\d* segments/);
    expect(await idbCounts(p)).toEqual({ signals: 0, memberships: 0 });
    await p.waitForFunction(() => !document.querySelector('[data-segment="sport-fan"]'));
    // Only the context-only segment (never stored, needs no consent) may remain.
    const left = await p.locator('#segments [data-segment]').evaluateAll((els) => els.map((e) => e.getAttribute('data-segment')));
    expect(left.filter((id) => id !== 'desktop-visitor')).toEqual([]);
    expect(await text(p, '#prefs .ck-verify')).toContain('verified');
    await shot(p, 'demo-3-withdrawn.png');

    expect(browser.errors).toEqual([]);
    const foreign = requests.filter((u) => !u.startsWith(`${demo.url}/`) && !/^(data|blob):/.test(u));
    expect(foreign).toEqual([]);
    expect(requests.some((u) => u === `${demo.url}/v1/reports`)).toBe(true);
    await p.close();
  });

  it('time travel plays the lapsed-buyer journey; forget() erases everything, the ledger included', async () => {
    const p = await browser.newPage();
    await p.setViewportSize({ width: 1320, height: 900 });
    await p.goto(`${demo.url}/`);
    await p.waitForSelector('body[data-ready]');
    // Both purposes were withdrawn by the previous test: grant them again in the preference center.
    await p.check('#prefs input[name="personalization"]');
    await p.waitForFunction(() => (window as any).demoClient.consent.get().personalization === 'granted');
    await p.click('[data-preset="Lapsed buyer"]');
    const seg = p.locator('[data-segment="lapsed-buyer"]');
    await seg.waitFor();
    expect(await text(p, '#offset')).toBe('+7 days');
    await seg.locator('summary').click();
    expect(await seg.innerText()).toMatch(/lapses .*unless renewed/);
    expect(await seg.innerText()).toContain('rule.lastSeen');
    expect(await p.locator('[data-segment="buyer"]').count()).toBe(0);
    await p.waitForFunction(() => document.querySelector('[data-slot="offer"] .slot-value')?.textContent?.includes('We miss you'));
    await shot(p, 'demo-4-lapsed-buyer.png');

    await p.getByRole('button', { name: 'Forget everything', exact: true }).click();
    await p.getByRole('button', { name: 'Yes, forget everything' }).click();
    await p.waitForSelector('#banner', { state: 'visible' });
    await p.waitForFunction(() => document.getElementById('prefs')?.shadowRoot?.querySelector('.ck-verify')?.textContent?.includes('No consent decision recorded'));
    // The action log says the lines under it are gone (they still read "→ stored").
    expect(await p.locator('#track-log li').first().innerText()).toBe('forget(): everything above was deleted from this device');
    expect(await text(p, '#track-log')).toContain('→ stored');
    const left = await p.locator('#segments [data-segment]').evaluateAll((els) => els.map((e) => e.getAttribute('data-segment')));
    expect(left.filter((id) => id !== 'desktop-visitor')).toEqual([]);
    const dbs = await p.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
    if (dbs.includes('cohortkit:demo')) expect(await idbCounts(p)).toEqual({ signals: 0, memberships: 0 });
    await p.click('[data-travel="0"]');
    await p.waitForFunction(() => document.getElementById('offset')?.textContent === 'real time'); // the collector's clock too
    expect(browser.errors).toEqual([]);
    await p.close();
  });

  it('QA simulate: 2000 visitors with a known truth, estimates within 4 stderr, shown on the dashboard', async () => {
    // An epoch of its own (no browser report mixes in), inside the collector's dedupe window
    // (the collector at real time, whatever a time-travelling page left it at).
    await fetch(`${demo.url}/qa/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ offset: 0 }) });
    const epoch = Math.floor(Date.now() / 86_400_000) - 2;
    const truthShares = [0.5, 0.3, 0.2];
    const res = await fetch(`${demo.url}/qa/simulate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ space: 'interest', n: 2000, epoch, truth: truthShares }),
    });
    expect(res.status).toBe(200);
    const sim = await res.json();
    expect(sim.accepted).toBe(2000);
    expect(sim.truth).toEqual([
      { id: 'sport', count: 1000 },
      { id: 'news', count: 600 },
      { id: 'other', count: 400 },
    ]);
    expect((await fetch(`${demo.url}/v1/estimates?space=interest&epoch=${epoch}`)).status).toBe(401);
    const auth = { headers: { authorization: `Bearer ${demo.readToken}` } };
    const est = await (await fetch(`${demo.url}/v1/estimates?space=interest&epoch=${epoch}`, auth)).json();
    expect(est.n).toBe(2000);
    for (const [i, c] of est.cohorts.entries()) {
      expect(c.id).toBe(sim.truth[i].id);
      expect(c.stderr).toBeGreaterThan(0);
      expect(Math.abs(c.estimate - sim.truth[i].count)).toBeLessThanOrEqual(4 * c.stderr);
    }
    // Bad input is refused.
    const bad = await fetch(`${demo.url}/qa/simulate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ space: 'nope', n: 10 }) });
    expect(bad.status).toBe(400);

    // The dashboard shows the truth next to the estimates for that epoch, and the lift view.
    // Every cohort ≥ 600 of 4,000: at ε = 1 (stderr ≈ 90) none falls under the publication rule
    // (95% interval clearing minCount) by chance. With 2,000 visitors and 10% cohorts one was withheld
    // in about a quarter of the runs (the dashboard then rightly says "no lift yet").
    // Truth: holdout 600/1,600 converted (37.5%), treated 1,200/1,800 (66.7%): lift +29.2 pp.
    const exp = await fetch(`${demo.url}/qa/simulate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ space: 'experiment-hero', n: 4000, epoch, truth: [0.15, 0.25, 0.3, 0.15, 0.15] }),
    });
    expect(exp.status).toBe(200);
    expect((await exp.json()).accepted).toBe(4000);
    const d = await browser.newPage();
    await d.setViewportSize({ width: 1320, height: 900 });
    await d.goto(`${demo.url}/dashboard/#token=${demo.readToken}`);
    await d.waitForSelector('[data-space="interest"]');
    expect(d.url()).not.toContain('token'); // taken from the link, then out of the address bar
    await d.selectOption('#epoch', String(epoch));
    // The render of the chosen epoch, not the first one ("latest with reports") still on screen.
    await d.waitForFunction((e) => {
      const card = (id: string) => document.querySelector(`[data-space="${id}"]`);
      return card('interest')?.getAttribute('data-n') === '2000' && card('interest')?.getAttribute('data-epoch') === e && card('experiment-hero')?.getAttribute('data-epoch') === e;
    }, String(epoch));
    expect(Number(await d.locator('[data-space="experiment-hero"]').getAttribute('data-n'))).toBeGreaterThanOrEqual(4000);
    expect(await d.locator('[data-space="interest"] tr[data-cohort="sport"]').innerText()).toContain('1,000');
    expect(await d.locator('[data-space="interest"] svg .truth').count()).toBe(3);
    const liftView = d.locator('[data-space="experiment-hero"] .lift');
    expect(await liftView.innerText()).toMatch(/Lift \+\d/);
    expect(await liftView.getAttribute('data-lift')).toBe('positive');
    await shot(d, 'dashboard-2-simulated.png');
    await d.close();
    expect(browser.errors).toEqual([]);
  });

  it('time travel end to end: the collector follows the page clock (QA); without it, a "+1 day" report shows as rejected', async () => {
    const p = await browser.newPage();
    await p.setViewportSize({ width: 1320, height: 900 });
    await p.goto(`${demo.url}/`);
    await p.waitForSelector('body[data-ready]');
    await p.evaluate(() => (window as any).demoClient.consent.update({ personalization: true, measurement: true }, { source: 'banner' }));
    const auth = { headers: { authorization: `Bearer ${demo.readToken}` } };
    const day = Math.floor(Date.now() / 86_400_000);
    const interest = async (epoch?: number) =>
      (await fetch(`${demo.url}/v1/estimates?space=interest${epoch === undefined ? '' : `&epoch=${epoch}`}`, auth)).json();
    const n0 = (await interest(day + 7)).n;

    // "+7 days" then "Flush now": the collector follows, the report of day + 7 is accepted.
    await p.click('[data-travel="7"]');
    await p.waitForFunction(() => document.getElementById('offset')?.textContent === '+7 days');
    expect(await (await fetch(`${demo.url}/qa/clock`)).json()).toMatchObject({ today: day + 7 });
    await p.click('#flush');
    await p.waitForFunction(() => /sent [1-9]/.test(document.getElementById('flush-result')!.textContent!));
    expect((await interest(day + 7)).n).toBe(n0 + 1);

    // Untick "collector follows": the collector is back at real time, the page at + 8 days.
    await p.uncheck('#follow');
    await p.click('[data-travel="1"]');
    await p.waitForFunction(() => document.getElementById('offset')?.textContent === '+8 days');
    expect(await (await fetch(`${demo.url}/qa/clock`)).json()).toMatchObject({ offset: 0, today: day });
    await p.evaluate(() => document.getElementById('flush-result')!.replaceChildren());
    await p.click('#flush'); // (the client may already have sent it on its own: then this sends 0)
    await p.waitForFunction(() => /sent \d/.test(document.getElementById('flush-result')!.textContent!));
    await expect.poll(async () => (await interest()).rejected['epoch: in the future'] ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect((await interest(day + 8)).n).toBe(0);

    // The dashboard says why instead of a silent 0.
    const d = await browser.newPage();
    await d.setViewportSize({ width: 1320, height: 900 });
    await d.goto(`${demo.url}/dashboard/#token=${demo.readToken}`);
    const line = d.locator('[data-space="interest"] .rejected');
    await line.waitFor();
    expect(await line.innerText()).toMatch(/\d+ rejected: epoch in the future/);
    await shot(d, 'dashboard-3-rejected.png');
    await d.close();

    await p.check('#follow');
    await p.click('[data-travel="0"]');
    await p.waitForFunction(() => document.getElementById('offset')?.textContent === 'real time');
    expect(await (await fetch(`${demo.url}/qa/clock`)).json()).toMatchObject({ offset: 0, today: day });
    expect(browser.errors).toEqual([]);
    await p.close();
  });
});
