// GPP in real Chromium: the IAB GPP stub on the page, cohortkit's ESM build (the GPP adapter loads
// on demand), then IAB Tech Lab's own CMP API (@iabgpp/cmpapi) sets, changes and removes usnat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, startServer, type BrowserHandle, type TestServer } from './harness';

let server: TestServer;
let browser: BrowserHandle;

// The IAB GPP stub protocol (iabgpp-es modules/stub): commands queue, listeners are kept in
// __gpp('events') with ids, addEventListener answers with its registration; the CMP adopts both.
const STUB = `(function () {
  var queue = [], events = [], lastId = 0;
  window.__gpp = function () {
    var a = [].slice.call(arguments);
    if (!a.length || (a.length === 1 && a[0] === 'queue')) return queue;
    if (a.length === 1 && a[0] === 'events') return events;
    var cmd = a[0], cb = a[1], par = a[2];
    if (cmd === 'ping') return { gppVersion: '1.1', cmpStatus: 'stub', cmpDisplayStatus: 'hidden', signalStatus: 'not ready', supportedAPIs: [], cmpId: 0 };
    if (cmd === 'addEventListener') { lastId++; events.push({ id: lastId, callback: cb, parameter: par }); return { eventName: 'listenerRegistered', listenerId: lastId, data: true }; }
    if (cmd === 'removeEventListener') { for (var i = 0; i < events.length; i++) if (events[i].id === par) { events.splice(i, 1); return { eventName: 'listenerRemoved', listenerId: par, data: true }; } return { eventName: 'listenerRemoved', listenerId: par, data: false }; }
    if (cmd === 'hasSection' || cmd === 'getSection' || cmd === 'getField') return null;
    queue.push(a);
  };
})();`;

const page = () => `<!doctype html><html><head><meta charset="utf-8"><script type="importmap">{"imports":{"idb":"/node_modules/idb/build/index.js"}}</script><script>${STUB}</script><script type="module">${SETUP}</script></head><body></body></html>`;
const MAP = { measurement: ['usnat.SaleOptOut', 'usnat.SharingOptOut'], personalization: ['usnat.TargetedAdvertisingOptOut'] };

beforeAll(async () => {
  server = await startServer();
  server.pages.set('/gpp.html', { body: page() });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** In the page (a module script, so vitest never rewrites its imports): start the client on the
 * stub, then load IAB's CMP API with usnat applicable. */
const SETUP = `
window.start = async (map, namespace) => {
  const { createClient } = await import('/dist/index.js');
  window.client = await createClient({ namespace, interop: { gpp: { map } } });
  window.errors = [];
  window.client.on('error', (e) => window.errors.push(String(e)));
  const { CmpApi, SignalStatus } = await import('/node_modules/@iabgpp/cmpapi/lib/mjs/index.js');
  window.cmp = new CmpApi(31, 1);
  window.cmp.setApplicableSections([7]);
  window.setUsnat = (fields) => {
    for (const [k, v] of Object.entries(fields)) window.cmp.setFieldValue('usnat', k, v);
    window.cmp.setSignalStatus(SignalStatus.READY);
    window.cmp.fireSectionChange('usnat');
  };
};
window.ready = true;`;

async function start(p: import('playwright-core').Page, namespace: string) {
  await p.goto(`${server.url}/gpp.html`);
  await p.waitForFunction(() => (window as any).ready === true);
  await p.evaluate(([map, ns]) => (window as any).start(map, ns), [MAP, namespace] as const);
}
const state = (p: import('playwright-core').Page) => p.evaluate(() => (window as any).client.consent.get());
const history = (p: import('playwright-core').Page) =>
  p.evaluate(async () => ((await (window as any).client.consent.history()) as Array<{ purpose: string; granted: boolean; source: string }>).map((r) => [r.purpose, r.granted, r.source]));

describe('GPP in Chromium (IAB stub + @iabgpp/cmpapi)', () => {
  it('usnat opt-outs deny, a change is followed, a removed section records nothing; source gpp, only on change', async () => {
    const p = await browser.newPage();
    const requested: string[] = [];
    p.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await start(p, 'gpp-a');
    // the adapters are their own chunk (the interop add-on's), fetched because interop.gpp is configured
    expect(requested.some((x) => /^\/dist\/chunks\/interop-.*\.js$/.test(x))).toBe(true);

    await p.evaluate(() => (window as any).setUsnat({ SaleOptOutNotice: 1, SaleOptOut: 1, SharingOptOut: 2, TargetedAdvertisingOptOut: 2 }));
    // The two purposes may be recorded in separate tasks: wait until neither is unset.
    await p.waitForFunction(() => !Object.values((window as any).client.consent.get()).includes('unset'));
    expect(await state(p)).toEqual({ personalization: 'granted', measurement: 'denied' });

    await p.evaluate(() => (window as any).setUsnat({ SaleOptOut: 2 }));
    await p.waitForFunction(() => (window as any).client.consent.get().measurement === 'granted');

    await p.evaluate(() => (window as any).cmp.fireSectionChange('usnat')); // same state again
    await p.evaluate(() => {
      (window as any).cmp.deleteSection('usnat');
      (window as any).cmp.fireSectionChange('usnat');
    });
    await p.waitForTimeout(300);
    expect(await history(p)).toEqual([
      ['measurement', false, 'gpp'],
      ['personalization', true, 'gpp'],
      ['measurement', true, 'gpp'],
    ]);
    expect(await state(p)).toEqual({ personalization: 'granted', measurement: 'granted' });
    expect(await p.evaluate(() => (window as any).client.consent.verify())).toBe(true);
    expect(await p.evaluate(() => (window as any).errors)).toEqual([]);
    await p.close();
  });

  it('after a reload the CMP re-announcing the stored state records nothing; a visitor choice in between stands', async () => {
    const p = await browser.newPage();
    await start(p, 'gpp-b');
    await p.evaluate(() => (window as any).setUsnat({ SaleOptOut: 2, SharingOptOut: 2, TargetedAdvertisingOptOut: 1 }));
    await p.waitForFunction(() => (window as any).client.consent.get().personalization === 'denied');
    await p.evaluate(() => (window as any).client.consent.update({ measurement: false }, { source: 'banner' }));
    const before = (await history(p)).length;
    await p.evaluate(() => (window as any).client.close());
    await p.reload();
    await start(p, 'gpp-b');
    await p.evaluate(() => (window as any).setUsnat({ SaleOptOut: 2, SharingOptOut: 2, TargetedAdvertisingOptOut: 1 }));
    await p.waitForTimeout(300);
    expect((await history(p)).length).toBe(before);
    expect(await state(p)).toEqual({ personalization: 'denied', measurement: 'denied' });
    expect(browser.errors).toEqual([]);
    await p.close();
  });
});
