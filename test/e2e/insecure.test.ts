// The script tag on a page over plain HTTP (not a secure context): no crypto.subtle, so the consent
// ledger's SHA-256 comes from the add-on cohortkit-sha256.js, fetched then only. Chromium, with a
// host name mapped to the loopback server (127.0.0.1 itself counts as secure).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, startServer, type BrowserHandle, type TestServer } from './harness';

let server: TestServer;
let browser: BrowserHandle;
const HOST = 'insecure.test';
beforeAll(async () => {
  server = await startServer();
  server.pages.set('/insecure.html', {
    body: `<!doctype html><html><head><meta charset="utf-8"><script src="/test/e2e/fixtures/insecure-page.js"></script>
<script src="/dist/cohortkit.iife.js"></script></head><body></body></html>`,
  });
  browser = await launch({ args: [`--host-resolver-rules=MAP ${HOST} 127.0.0.1`] });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('script tag without WebCrypto (plain HTTP)', () => {
  it('consent is recorded and verifies; the SHA-256 add-on is fetched; after a reload the ledger still verifies', async () => {
    const url = `${server.url.replace('127.0.0.1', HOST)}/insecure.html`;
    const p = await browser.newPage();
    const requested: string[] = [];
    p.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await p.goto(url);
    await p.waitForFunction(() => typeof (window as any).cohortkit?.track === 'function', undefined, { timeout: 10_000 });
    const first = await p.evaluate(() => (window as any).run('first'));
    expect(first).toEqual({
      storage: 'indexeddb',
      secure: false,
      subtle: 'undefined',
      state: { personalization: 'granted', measurement: 'unset' },
      history: [['personalization', true, 'banner']],
      verified: true,
      segments: ['fan'],
      errors: [],
    });
    expect(requested).toContain('/dist/cohortkit-sha256.js');
    await p.reload();
    await p.waitForFunction(() => typeof (window as any).cohortkit?.track === 'function', undefined, { timeout: 10_000 });
    const again = await p.evaluate(() => (window as any).run('again'));
    expect(again).toMatchObject({ secure: false, state: { personalization: 'granted', measurement: 'unset' }, history: [['personalization', true, 'banner']], verified: true, segments: ['fan'], errors: [] });
    expect(browser.errors).toEqual([]);
    await p.close();
  });

  it('encryptAtRest cannot encrypt there: the client runs from memory and says why, nothing is stored in clear', async () => {
    const p = await browser.newPage();
    await p.goto(`${server.url.replace('127.0.0.1', HOST)}/insecure.html?encrypt`);
    await p.waitForFunction(() => typeof (window as any).cohortkit?.track === 'function', undefined, { timeout: 10_000 });
    const r = await p.evaluate(() => (window as any).run('first'));
    expect(r).toMatchObject({ storage: 'memory', verified: true, segments: ['fan'], errors: ['storage: encryptAtRest needs WebCrypto (crypto.subtle); continuing from memory'] });
    // Nothing of it in IndexedDB: the database holds no record (or does not exist).
    const stored = await p.evaluate(async () => {
      if (!(await indexedDB.databases()).some((d) => d.name === 'cohortkit:insecure-enc')) return 0;
      const db: IDBDatabase = await new Promise((res, rej) => Object.assign(indexedDB.open('cohortkit:insecure-enc'), { onsuccess(this: IDBOpenDBRequest) { res(this.result); }, onerror: rej }));
      let n = 0;
      for (const name of [...db.objectStoreNames]) n += await new Promise<number>((res) => (db.transaction(name).objectStore(name).count().onsuccess = (e) => res((e.target as IDBRequest<number>).result)));
      db.close();
      return n;
    });
    expect(stored).toBe(0);
    expect(browser.errors).toEqual([]);
    await p.close();
  });
});
