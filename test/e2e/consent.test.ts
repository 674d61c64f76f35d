import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, startServer, type BrowserHandle, type TestServer } from './harness';

let server: TestServer;
let browser: BrowserHandle;

const page = (body: string, headers?: Record<string, string>) =>
  `<!doctype html><html><head><meta charset="utf-8"><script src="/dist/cohortkit.iife.js"></script></head><body>${body}</body></html>`;

beforeAll(async () => {
  server = await startServer();
  server.pages.set('/blank.html', { body: page('') });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('consent in real Chromium (real IndexedDB)', () => {
  it('survives a reload, and the ledger verifies', async () => {
    const p = await browser.newPage();
    await p.goto(`${server.url}/blank.html`);
    const first = await p.evaluate(async () => {
      const c = await (window as any).Cohortkit.createClient({ namespace: 'reload' });
      await c.consent.update({ measurement: true, personalization: false }, { source: 'banner' });
      return { storage: c.storage, state: c.consent.get() };
    });
    expect(first).toEqual({ storage: 'indexeddb', state: { personalization: 'denied', measurement: 'granted' } });
    await p.reload();
    const after = await p.evaluate(async () => {
      const c = await (window as any).Cohortkit.createClient({ namespace: 'reload' });
      return { state: c.consent.get(), verify: await c.consent.verify(), n: (await c.consent.history()).length };
    });
    expect(after).toEqual({ state: { personalization: 'denied', measurement: 'granted' }, verify: true, n: 2 });
    await p.close();
  });

  it('two tabs stay in sync within a second', async () => {
    const a = await browser.newPage();
    const b = await browser.newPage();
    await a.goto(`${server.url}/blank.html`);
    await b.goto(`${server.url}/blank.html`);
    await b.evaluate(async () => {
      const c = await (window as any).Cohortkit.createClient({ namespace: 'tabs' });
      (window as any).events = [];
      c.on('consent', (s: unknown) => (window as any).events.push(s));
      (window as any).client = c;
    });
    const t0 = Date.now();
    await a.evaluate(async () => {
      const c = await (window as any).Cohortkit.createClient({ namespace: 'tabs' });
      await c.consent.update({ personalization: true }, { source: 'banner' });
    });
    await b.waitForFunction(() => (window as any).events.length > 0, undefined, { timeout: 1000 });
    expect(Date.now() - t0).toBeLessThan(1500);
    const state = await b.evaluate(() => (window as any).client.consent.get());
    expect(state.personalization).toBe('granted');
    // and back: a withdrawal in b reaches a
    await a.evaluate(async () => {
      (window as any).events = [];
      const c = await (window as any).Cohortkit.createClient({ namespace: 'tabs' });
      c.on('consent', (s: unknown) => (window as any).events.push(s));
    });
    await b.evaluate(() => (window as any).client.consent.update({ personalization: false }));
    await a.waitForFunction(() => (window as any).events.some((s: any) => s.personalization === 'denied'), undefined, {
      timeout: 1000,
    });
    await a.close();
    await b.close();
  });

  it('IndexedDB that throws → the client works from memory, no page error', async () => {
    server.pages.set('/broken-idb.html', {
      body: `<!doctype html><html><head><meta charset="utf-8"><script src="/test/e2e/fixtures/break-idb.js"></script><script src="/dist/cohortkit.iife.js"></script></head><body></body></html>`,
    });
    const p = await browser.newPage();
    const before = browser.errors.length;
    await p.goto(`${server.url}/broken-idb.html`);
    const r = await p.evaluate(async () => {
      const errors: string[] = [];
      const c = await (window as any).Cohortkit.createClient({ namespace: 'broken' });
      c.on('error', (e: any) => errors.push(e.code));
      await c.consent.update({ measurement: true });
      return { storage: c.storage, state: c.consent.get().measurement, verify: await c.consent.verify() };
    });
    expect(r).toEqual({ storage: 'memory', state: 'granted', verify: true });
    expect(browser.errors.slice(before)).toEqual([]);
    await p.close();
  });

  it('another page deleting the database does not hang an open client', async () => {
    const a = await browser.newPage();
    const b = await browser.newPage();
    await a.goto(`${server.url}/blank.html`);
    await b.goto(`${server.url}/blank.html`);
    await a.evaluate(async () => {
      const c = await (window as any).Cohortkit.createClient({ namespace: 'deleted' });
      await c.consent.update({ measurement: true });
      (window as any).client = c;
    });
    await b.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const r = indexedDB.deleteDatabase('cohortkit:deleted');
          r.onsuccess = () => resolve();
          r.onerror = () => reject(r.error);
        }),
    );
    const r = await a.evaluate(async () => {
      const c = (window as any).client;
      const s = await c.consent.update({ personalization: true });
      return { s, storage: c.storage };
    });
    expect(r.s.personalization).toBe('granted');
    await a.reload();
    const fresh = await a.evaluate(async () => {
      const c = await (window as any).Cohortkit.createClient({ namespace: 'deleted' });
      return { state: c.consent.get(), verify: await c.consent.verify() };
    });
    expect(fresh.verify).toBe(true);
    await a.close();
    await b.close();
  });
});

describe('the IIFE bundle under a strict CSP', () => {
  it("loads and works with Content-Security-Policy: script-src 'self'", async () => {
    server.pages.set('/csp.html', {
      body: `<!doctype html><html><head><meta charset="utf-8"><script src="/dist/cohortkit.iife.js"></script><script src="/test/e2e/fixtures/csp-check.js"></script></head><body></body></html>`,
      headers: { 'content-security-policy': "script-src 'self'; object-src 'none'; base-uri 'none'" },
    });
    const p = await browser.newPage();
    const violations: string[] = [];
    p.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    const before = browser.errors.length;
    await p.goto(`${server.url}/csp.html`);
    await p.waitForFunction(() => (window as any).cspResult !== undefined, undefined, { timeout: 10000 });
    const result = await p.evaluate(() => (window as any).cspResult);
    expect(result).toEqual({ ok: true, state: { personalization: 'granted', measurement: 'unset' }, verify: true });
    expect(violations).toEqual([]);
    expect(browser.errors.slice(before)).toEqual([]);
    await p.close();
  });
});
