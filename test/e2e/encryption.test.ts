// encryptAtRest in real Chromium: real IndexedDB (CryptoKey stored by structured clone), real
// WebCrypto. A dump of every key and value of the page's databases names nothing tracked; reload
// keeps the segments; forget() deletes the database with the key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, startServer, type BrowserHandle, type TestServer } from './harness';

let server: TestServer;
let browser: BrowserHandle;
beforeAll(async () => {
  server = await startServer();
  server.pages.set('/enc.html', {
    body: `<!doctype html><html><head><meta charset="utf-8"><script src="/dist/cohortkit.iife.js"></script></head><body><p>enc</p></body></html>`,
  });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const SECRETS = ['zq_article_view', 'zq_sports_prop', 'zq_reader_seg', 'zq_lifecycle_space', 'zq_readers_cohort', 'zq_hiking_interest', 'zq_personal_purpose'];

/** Runs in the page: open an encrypted client on `ns` (with the same options every time). */
const pageClient = (ns: string) =>
  (window as any).Cohortkit.createClient({
    namespace: ns,
    encryptAtRest: true,
    purposes: [{ id: 'zq_personal_purpose' }, { id: 'measurement' }],
    segments: [{ id: 'zq_reader_seg', description: 'reads', rule: { event: 'zq_article_view', where: { topic: 'zq_sports_prop' } }, purposes: ['zq_personal_purpose'] }],
    cohorts: [{ id: 'zq_lifecycle_space', description: 'who', cohorts: [{ id: 'zq_readers_cohort', segment: 'zq_reader_seg' }], fallback: 'zq_other_fb' }],
    interests: [{ id: 'zq_hiking_interest', label: 'Hiking', purposes: ['zq_personal_purpose'] }],
  });

/** Runs in the page: every key and value of every database, CryptoKeys as a marker, bytes as latin1. */
const pageDump = async () => {
  const out: unknown[] = [];
  for (const { name } of await indexedDB.databases()) {
    const db: IDBDatabase = await new Promise((res, rej) => {
      const r = indexedDB.open(name!);
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    for (const store of Array.from(db.objectStoreNames)) {
      const tx = db.transaction(store);
      const get = (req: IDBRequest) => new Promise<unknown[]>((res) => (req.onsuccess = () => res(req.result)));
      out.push(name, store, await get(tx.objectStore(store).getAllKeys()), await get(tx.objectStore(store).getAll()));
    }
    db.close();
  }
  return JSON.stringify(out, (_k, v) =>
    v instanceof CryptoKey
      ? `[CryptoKey ${v.extractable ? 'extractable' : 'non-extractable'}]`
      : v instanceof ArrayBuffer || ArrayBuffer.isView(v)
        ? String.fromCharCode(...new Uint8Array(v instanceof ArrayBuffer ? v : v.buffer))
        : v,
  );
};

describe('encryptAtRest in Chromium', () => {
  it('no IndexedDB key or value names what was tracked; reload keeps segments, consent and the ledger; forget deletes it all', async () => {
    const p = await browser.newPage();
    const install = () => p.evaluate(`window.encClient = ${pageClient}; window.encDump = ${pageDump}; 0`);
    await p.goto(`${server.url}/enc.html`);
    await install();
    const ids = await p.evaluate(async () => {
      const c = await (window as any).encClient('enc1');
      await c.consent.update({ zq_personal_purpose: true, measurement: true });
      await c.track('zq_article_view', { topic: 'zq_sports_prop' });
      await c.interests.declare(['zq_hiking_interest']);
      const ids = (await c.segments()).map((s: any) => s.id);
      await c.close();
      return ids;
    });
    expect(ids).toEqual(['zq_reader_seg']);
    const dump: string = await p.evaluate(() => (window as any).encDump());
    expect(dump).toContain('cohortkit:enc1');
    expect(dump).toContain('[CryptoKey non-extractable]');
    for (const s of SECRETS) expect(dump, s).not.toContain(s);
    expect(dump).not.toContain('zq_');

    await p.reload();
    await install();
    const after = await p.evaluate(async () => {
      const c = await (window as any).encClient('enc1');
      const errors: unknown[] = [];
      c.on('error', (e: unknown) => errors.push(String(e)));
      const r = { ids: (await c.segments()).map((s: any) => s.id), consent: c.consent.get(), verify: await c.consent.verify(), interests: (await c.exportData()).interests, errors };
      await c.forget();
      await c.close();
      return { ...r, dbs: (await indexedDB.databases()).map((d) => d.name) };
    });
    expect(after.ids).toEqual(['zq_reader_seg']);
    expect(after.consent).toMatchObject({ zq_personal_purpose: 'granted' });
    expect(after.verify).toBe(true);
    expect(after.interests).toEqual(['zq_hiking_interest']);
    expect(after.errors).toEqual([]);
    expect(after.dbs).not.toContain('cohortkit:enc1');
    expect(browser.errors).toEqual([]);
    await p.close();
  });
});
