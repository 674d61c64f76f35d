// Private browsing in each engine (Chromium off-the-record, Firefox private windows, MiniBrowser
// --private): the client still works, and keeps its state for the session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './harness';
import { launchEngine, selectedEngines, type Engine } from './engines';
import { registerPages } from './engines/pages';

type W = any; // the page's window
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  registerPages(server);
});
afterAll(() => server?.close());

describe.each(selectedEngines())('%s private', (name) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await launchEngine(name, { private: true });
  });
  afterAll(() => engine?.close());

  it(`[${name} private] IndexedDB works for the session: consent and segments survive a reload, two tabs sync`, async () => {
    const a = await engine.newPage();
    await a.goto(`${server.url}/app.html`);
    const first = await a.evaluate(async () => {
      const c = await (window as W).app.client('private');
      await c.consent.update({ personalization: true }, { source: 'banner' });
      await c.track('article_view', { category: 'sport' });
      return { storage: c.storage, ids: (await c.segments()).map((s: W) => s.id), persistence: (await c.exportData()).persistence };
    });
    expect(first.storage).toBe('indexeddb');
    expect(first.ids).toContain('reader');
    await a.reload();
    const after = await a.evaluate(async () => {
      const c = await (window as W).app.client('private');
      (window as W).client = c;
      return { state: c.consent.get().personalization, verify: await c.consent.verify(), ids: (await c.segments()).map((s: W) => s.id) };
    });
    expect(after).toEqual({ state: 'granted', verify: true, ids: ['reader'] });
    const b = await engine.newPage();
    await b.goto(`${server.url}/app.html`);
    await b.evaluate(async () => {
      const c = await (window as W).app.client('private');
      await c.consent.update({ personalization: false });
    });
    await a.waitFor(() => (window as W).client.consent.get().personalization === 'denied', undefined, { timeout: 1000 });
    await a.close();
    await b.close();
    expect(await engine.errors()).toEqual([]);
  });
});
