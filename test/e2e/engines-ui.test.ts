// The preference center (<cohortkit-preferences>, dist/cohortkit-ui.iife.js) in Chromium, Firefox
// and WebKit under script-src 'self'; style-src 'self': custom element, open shadow root,
// constructable stylesheet, a toggle that records consent with source preference-center.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './harness';
import { launchEngine, selectedEngines, type Engine } from './engines';
import { html, IIFE } from './engines/pages';

type W = any; // the page's window
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  server.pages.set('/ui.html', {
    headers: { 'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'" },
    body: html([IIFE, '/dist/cohortkit-ui.iife.js', '/test/e2e/engines/ui-page.js']),
  });
});
afterAll(() => server?.close());

describe.each(selectedEngines())('%s', (name) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await launchEngine(name);
  });
  afterAll(() => engine?.close());

  it(`[${name}] preference center under a strict CSP: styled shadow root, a toggle records consent`, async () => {
    const p = await engine.newPage();
    await p.goto(`${server.url}/ui.html`);
    await p.waitFor(() => (window as W).uiReady !== undefined);
    expect(await p.evaluate(() => (window as W).uiReady)).toBe(true);
    await p.waitFor(() => document.querySelector('cohortkit-preferences')?.shadowRoot?.querySelector('input[name="personalization"]'));
    const look = await p.evaluate(() => {
      const root = document.querySelector('cohortkit-preferences')!.shadowRoot!;
      const box = root.querySelector('.ck');
      return {
        adopted: root.adoptedStyleSheets?.length ?? 0,
        styleTags: root.querySelectorAll('style, link').length,
        host: getComputedStyle(document.querySelector('cohortkit-preferences')!).display,
        radius: box ? getComputedStyle(box).borderTopLeftRadius : 'no .ck',
        boxes: [...root.querySelectorAll('input[type="checkbox"]')].map((i) => (i as HTMLInputElement).name),
      };
    });
    expect(look).toEqual({ adopted: 1, styleTags: 0, host: 'block', radius: '10px', boxes: expect.arrayContaining(['personalization', 'measurement']) });
    await p.evaluate(() => (document.querySelector('cohortkit-preferences')!.shadowRoot!.querySelector('input[name="personalization"]') as HTMLInputElement).click());
    await p.waitFor(() => (window as W).client.consent.get().personalization === 'granted');
    const last = await p.evaluate(async () => (await (window as W).client.consent.history()).at(-1));
    expect(last).toMatchObject({ purpose: 'personalization', granted: true, source: 'preference-center' });
    await p.close();
    expect(await engine.errors()).toEqual([]);
  });
});
