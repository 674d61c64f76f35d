// forget() from memory (after a fallback, or asked for) deletes the namespace's IndexedDB database
// too (API.md: "forget(): delete everything, the database too").
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDB } from 'idb';
import { createClient, isCohortkitError } from '../../src/index';
import { inject, watchPage } from './fault-helpers';

let n = 0;
const ns = () => `ffg${Date.now().toString(36)}-${n++}`;
const segments = [{ id: 'buyer', description: 'd', rule: { event: 'purchase' } }];
const exists = async (namespace: string) => (await indexedDB.databases()).some((d) => d.name === `cohortkit:${namespace}`);

/** A namespace whose database holds a granted ledger, a signal and a membership (an earlier page). */
async function earlierPage() {
  const namespace = ns();
  const c = await createClient({ namespace, segments });
  await c.consent.update({ personalization: true });
  await c.track('purchase');
  await c.close();
  const db = await openDB(`cohortkit:${namespace}`);
  expect([(await db.getAll('ledger')).length, (await db.getAll('signals')).length, (await db.getAll('memberships')).length]).toEqual([1, 1, 1]);
  db.close();
  return namespace;
}

afterEach(() => vi.restoreAllMocks());

describe('forget() from memory deletes the IndexedDB database', () => {
  it('after one failing indexedDB.open at start: the database goes, the next page restores nothing', async () => {
    const page = watchPage();
    const namespace = await earlierPage();
    const orig = indexedDB.open.bind(indexedDB);
    let fail = 1;
    vi.spyOn(indexedDB, 'open').mockImplementation((...a: [string, number?]) => {
      if (fail-- > 0) throw new DOMException('transient', 'UnknownError');
      return orig(...a);
    });
    const errors: unknown[] = [];
    const again = await createClient({ namespace, segments });
    vi.restoreAllMocks();
    again.on('error', (e) => errors.push(e));
    expect(again.storage).toBe('memory');
    await again.forget();
    expect(await exists(namespace)).toBe(false);
    await again.close();
    const third = await createClient({ namespace, segments });
    expect(third.storage).toBe('indexeddb');
    expect(third.consent.get().personalization).toBe('unset');
    expect((await third.exportData()).signals).toEqual([]);
    expect(await third.segments()).toEqual([]);
    await third.close();
    // Only the fallback was reported (forget() did not fail).
    expect(errors.map((e) => (e as Error).message)).toEqual(['IndexedDB unavailable; continuing from memory']);
    await page.check();
  });

  it('after a store that fails mid-start (reads aborted): the database goes too', async () => {
    const page = watchPage();
    const namespace = await earlierPage();
    const fault = inject('abort-reads');
    const again = await createClient({ namespace, segments });
    fault.restore();
    expect(again.storage).toBe('memory');
    await again.forget();
    expect(await exists(namespace)).toBe(false);
    await again.close();
    await page.check();
  });

  it("storage: 'memory' asked for: forget() deletes the namespace's database too", async () => {
    const namespace = await earlierPage();
    const c = await createClient({ namespace, segments, storage: 'memory' });
    await c.forget();
    expect(await exists(namespace)).toBe(false);
    await c.close();
  });

  it('without IndexedDB (a getter that throws): forget() from memory resolves', async () => {
    const desc = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB')!;
    Object.defineProperty(globalThis, 'indexedDB', { configurable: true, get: () => { throw new DOMException('denied', 'SecurityError'); } });
    try {
      const c = await createClient({ namespace: ns(), segments });
      expect(c.storage).toBe('memory');
      await c.consent.update({ personalization: true });
      await expect(c.forget()).resolves.toBeUndefined();
      expect(c.consent.get().personalization).toBe('unset');
      await c.close();
    } finally {
      Object.defineProperty(globalThis, 'indexedDB', desc);
    }
  });

  it('a deletion blocked by a connection that never closes rejects `storage` (it does not hang)', async () => {
    const namespace = await earlierPage();
    // Another script's connection without a versionchange handler: it never steps aside.
    const other = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(`cohortkit:${namespace}`);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    try {
      const c = await createClient({ namespace, segments, storage: 'memory' });
      const t0 = Date.now();
      const e = await c.forget().then(() => undefined, (x: unknown) => x);
      expect(isCohortkitError(e) && (e as { code: string }).code).toBe('storage');
      expect((e as Error).message).toMatch(/deleting IndexedDB "cohortkit:.*" timed out/);
      expect(Date.now() - t0).toBeLessThan(10_000);
      await c.close();
    } finally {
      other.close();
    }
    // Once the connection is gone, the deletion queued meanwhile goes through.
    await vi.waitFor(async () => expect(await exists(namespace)).toBe(false));
  });
});
