// Issue 14 evidence, in Chromium, Firefox and WebKit: declared interests through the preference
// center put the visitor in a `{ declared }` segment, survive a reload while consented, and a
// withdrawal removes them (segment gone, export empty, counted in the ledger's purged.signals);
// forget() leaves no database. (The consent toggle recording source 'preference-center' is
// asserted in engines-ui.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './harness';
import { launchEngine, selectedEngines, type Engine, type EnginePage } from './engines';
import { html, IIFE } from './engines/pages';

type W = any; // the page's window
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  server.pages.set('/gov.html', {
    headers: { 'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'" },
    body: html([IIFE, '/dist/cohortkit-ui.iife.js', '/test/e2e/engines/governance-page.js']),
  });
});
afterAll(() => server?.close());

/** Clicks, in the component's shadow root, the checkbox whose label contains `label`. */
const clickBox = (label: string) => {
  const root = document.querySelector('cohortkit-preferences')!.shadowRoot!;
  const input = [...root.querySelectorAll('input[type="checkbox"]')].find((i) =>
    [...((i as HTMLInputElement).labels ?? [])].some((l) => l.textContent!.includes(label)),
  ) as HTMLInputElement | undefined;
  if (!input) return `no checkbox labelled ${label}`;
  input.click();
  return input.checked;
};
/** Names of the databases of this origin, or, without indexedDB.databases(), whether `name` exists. */
const databases = async (name: string): Promise<string[]> => {
  if (typeof indexedDB.databases == 'function') return (await indexedDB.databases()).map((d) => d.name!);
  const existed = await new Promise<boolean>((resolve, reject) => {
    let fresh = false;
    const r = indexedDB.open(name);
    r.onupgradeneeded = (e) => (fresh = e.oldVersion === 0);
    r.onsuccess = () => (r.result.close(), resolve(!fresh));
    r.onerror = () => reject(r.error);
  });
  if (!existed) await new Promise((resolve) => (indexedDB.deleteDatabase(name).onsuccess = resolve));
  return existed ? [name] : [];
};
const state = () =>
  (async () => {
    const c = (window as W).client;
    return {
      interests: c.interests.get(),
      segments: (await c.segments()).map((m: { id: string }) => m.id),
      exported: (await c.exportData()).interests,
    };
  })();

describe.each(selectedEngines())('%s', (name) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await launchEngine(name);
  });
  afterAll(() => engine?.close());

  const open = async (): Promise<EnginePage> => {
    const p = await engine.newPage();
    await p.goto(`${server.url}/gov.html`);
    await p.waitFor(() => (window as W).uiReady !== undefined);
    expect(await p.evaluate(() => (window as W).uiReady)).toBe(true);
    await p.waitFor(() => document.querySelector('cohortkit-preferences')?.shadowRoot?.querySelector('input[name="hiking"]'));
    return p;
  };

  it(`[${name}] declared interest via the component: { declared } segment, kept on reload, purged on withdrawal`, async () => {
    const p = await open();
    // Without consent, ticking the interest stores nothing and the box unticks again (WebKit may
    // untick it before click() returns, so only that it was found is asserted here).
    expect(typeof (await p.evaluate(clickBox, 'Hiking trips'))).toBe('boolean');
    await p.waitFor(() => document.querySelector('cohortkit-preferences')!.shadowRoot!.textContent!.includes('Interests are saved only with your consent'));
    await p.waitFor(() => !(document.querySelector('cohortkit-preferences')!.shadowRoot!.querySelector('input[name="hiking"]') as HTMLInputElement).checked);
    expect(await p.evaluate(state)).toEqual({ interests: [], segments: [], exported: [] });

    // Grant personalization through the component, then declare through the component.
    expect(await p.evaluate(clickBox, 'personalization')).toBe(true);
    await p.waitFor(() => (window as W).client.consent.get().personalization === 'granted');
    expect(await p.evaluate(clickBox, 'Hiking trips')).toBe(true);
    await p.waitFor(() => (window as W).client.interests.get().length === 1);
    expect(await p.evaluate(state)).toEqual({ interests: ['hiking'], segments: ['hiker'], exported: ['hiking'] });

    // The stats interest relies on measurement, not granted: the API refuses it and changes nothing.
    expect(await p.evaluate(() => (window as W).client.interests.declare(['hiking', 'stats']))).toMatchObject({ stored: false, reason: 'no-consent' });
    const bad = await p.evaluate(() => (window as W).client.interests.declare(['sailing']).then(() => 'resolved', (e: W) => `${e.code}: ${e.message}`));
    expect(bad).toMatch(/^invalid-argument: ids\[0\]: unknown interest "sailing"/);

    // A reload keeps the declaration while consented, and the box is ticked again.
    await p.reload();
    await p.waitFor(() => (window as W).uiReady !== undefined);
    await p.waitFor(() => (document.querySelector('cohortkit-preferences')?.shadowRoot?.querySelector('input[name="hiking"]') as HTMLInputElement)?.checked);
    expect(await p.evaluate(state)).toEqual({ interests: ['hiking'], segments: ['hiker'], exported: ['hiking'] });

    // Withdrawing personalization in the component purges the interest; the ledger counts it.
    expect(await p.evaluate(clickBox, 'personalization')).toBe(false);
    await p.waitFor(() => (window as W).client.consent.get().personalization === 'denied');
    await p.waitFor(() => (window as W).client.interests.get().length === 0);
    // A withdrawal takes effect (and the interest leaves memory) before its record and purge are
    // written: wait for the record, so the reads below see the finished withdrawal.
    await p.waitFor(async () => { const r = (await (window as W).client.consent.history()).at(-1); return r?.purpose === 'personalization' && r.granted === false; });
    expect(await p.evaluate(state)).toEqual({ interests: [], segments: [], exported: [] });
    const last = await p.evaluate(async () => (await (window as W).client.consent.history()).at(-1));
    expect(last).toMatchObject({ purpose: 'personalization', granted: false, source: 'preference-center' });
    expect(last.purged.signals).toBe(1);
    await p.waitFor(() => !(document.querySelector('cohortkit-preferences')!.shadowRoot!.querySelector('input[name="hiking"]') as HTMLInputElement).checked);

    // And after another reload nothing comes back.
    await p.reload();
    await p.waitFor(() => (window as W).uiReady !== undefined);
    expect(await p.evaluate(state)).toEqual({ interests: [], segments: [], exported: [] });
    await p.evaluate(() => (window as W).client.forget());
    await p.close();
    expect(await engine.errors()).toEqual([]);
  });

  it(`[${name}] forget() after declaring leaves no database`, async () => {
    const p = await open();
    await p.evaluate(async () => {
      const c = (window as W).client;
      await c.consent.update({ personalization: true, measurement: true });
      const r = await c.interests.declare(['hiking', 'stats']);
      if (!r.stored) throw new Error(`declare: ${r.reason}`);
    });
    expect(await p.evaluate(state)).toEqual({ interests: ['hiking', 'stats'], segments: ['hiker', 'stat-fan'], exported: ['hiking', 'stats'] });
    expect(await p.evaluate(databases, 'cohortkit:gov')).toContain('cohortkit:gov');
    await p.evaluate(() => (window as W).client.forget());
    expect(await p.evaluate(() => (window as W).client.interests.get())).toEqual([]);
    expect(await p.evaluate(databases, 'cohortkit:gov')).not.toContain('cohortkit:gov');
    await p.reload();
    await p.waitFor(() => (window as W).uiReady !== undefined);
    expect(await p.evaluate(state)).toEqual({ interests: [], segments: [], exported: [] });
    await p.evaluate(() => (window as W).client.forget());
    await p.close();
    expect(await engine.errors()).toEqual([]);
  });
  it(`[${name}] forget() in one tab, another tab open on the same client: still no database`, async () => {
    const a = await open();
    const b = await open();
    await a.evaluate(async () => {
      const c = (window as W).client;
      await c.consent.update({ personalization: true });
      await c.interests.declare(['hiking']);
    });
    await b.waitFor(() => (window as W).client.interests.get().length === 1);
    await a.evaluate(() => (window as W).client.forget());
    await b.waitFor(() => (window as W).client.consent.get().personalization === 'unset' && (window as W).client.interests.get().length === 0);
    // The other tab keeps reading (as a page does) without bringing the database back.
    expect(await b.evaluate(state)).toEqual({ interests: [], segments: [], exported: [] });
    expect(await b.evaluate(async () => (await (window as W).client.consent.history()).length)).toBe(0);
    expect(await a.evaluate(databases, 'cohortkit:gov')).not.toContain('cohortkit:gov');
    await a.close();
    await b.close();
    expect(await engine.errors()).toEqual([]);
  });
});
