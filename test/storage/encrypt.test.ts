// encryptAtRest: nothing cohortkit keeps in IndexedDB names an event, a prop value, a segment,
// space, cohort or interest id, or a purpose; reloads, the ledger and forget() work as without it.
// fake-indexeddb structured-clones CryptoKey (Node's webcrypto keys) like a browser does; the
// real-browser check, in Chromium, Firefox and WebKit, is test/e2e/engines-encryption.test.ts;
// the two-tab key race is test/storage/encrypt-race.test.ts.
import { openDB } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/index';
import type { ClientOptions } from '../../src/types';
import { dump, watchPage } from '../client/fault-helpers';

let n = 0;
const SECRETS = ['xq_article_view', 'xq_sports_prop', 'xq_reader_seg', 'xq_lifecycle_space', 'xq_readers_cohort', 'xq_other_fb', 'xq_hiking_interest', 'xq_personal_purpose', 'xq_measure_purpose'];
const opts = (namespace: string, encryptAtRest = true): ClientOptions => ({
  namespace,
  encryptAtRest,
  purposes: [{ id: 'xq_personal_purpose' }, { id: 'xq_measure_purpose' }, { id: 'measurement' }],
  segments: [{ id: 'xq_reader_seg', description: 'reads', rule: { event: 'xq_article_view', where: { topic: 'xq_sports_prop' } }, purposes: ['xq_personal_purpose'] }],
  cohorts: [{ id: 'xq_lifecycle_space', description: 'who', cohorts: [{ id: 'xq_readers_cohort', segment: 'xq_reader_seg' }], fallback: 'xq_other_fb' }],
  interests: [{ id: 'xq_hiking_interest', label: 'Hiking', purposes: ['xq_personal_purpose'] }],
  report: { endpoint: 'http://127.0.0.1:9/v1/reports' }, // loopback discard port: nothing leaves the machine
});
const ns = () => `enc${Date.now().toString(36)}${n++}`;
const serialize = (d: unknown) =>
  JSON.stringify(d, (_k, v) =>
    v instanceof CryptoKey ? '[CryptoKey]' : v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? Buffer.from(v as ArrayBuffer).toString('latin1') : v,
  );
const keysOf = async (namespace: string) => {
  const db = await openDB(`cohortkit:${namespace}`);
  const out: unknown[] = [];
  for (const name of db.objectStoreNames) out.push(name, ...(await db.getAllKeys(name)));
  db.close();
  return out;
};

async function visit(namespace: string, encrypt = true) {
  const c = await createClient(opts(namespace, encrypt));
  await c.consent.update({ xq_personal_purpose: true, xq_measure_purpose: true, measurement: true });
  await c.track('xq_article_view', { topic: 'xq_sports_prop' });
  await c.interests.declare(['xq_hiking_interest']);
  await c.decide({ space: 'xq_lifecycle_space' } as never).catch(() => undefined);
  await c.flush().catch(() => undefined);
  return c;
}

let watch: ReturnType<typeof watchPage>;
const fetchOrig = globalThis.fetch;
afterEach(async () => {
  globalThis.fetch = fetchOrig;
  await watch.check();
});

describe('encryptAtRest', () => {
  it('no key or value in IndexedDB holds a tracked name, id, prop value or purpose; without it they do', async () => {
    watch = watchPage();
    globalThis.fetch = (async () => { throw new TypeError('offline'); }) as never; // reports stay in the outbox
    const plain = ns();
    await (await visit(plain, false)).close();
    const clear = serialize(await dump(plain)) + serialize(await keysOf(plain));
    // The check can fail: unencrypted, the same visit leaves every secret in the database.
    for (const s of ['xq_article_view', 'xq_sports_prop', 'xq_reader_seg', 'xq_hiking_interest', 'xq_personal_purpose', 'xq_measure_purpose']) expect(clear, s).toContain(s);
    const enc = ns();
    const c = await visit(enc);
    expect((await c.segments()).map((m) => m.id)).toEqual(['xq_reader_seg']);
    await c.close();
    const d = await dump(enc);
    expect(Object.values(d).flat().length).toBeGreaterThan(4);
    const all = serialize(d) + serialize(await keysOf(enc));
    for (const s of SECRETS) expect(all, s).not.toContain(s);
    expect(all).not.toContain('xq_');
    expect(all).toContain('[CryptoKey]');
  });

  it('a new client on the same namespace has the segments, consent, interests and a verifying ledger', async () => {
    watch = watchPage();
    const namespace = ns();
    await (await visit(namespace)).close();
    const errors: unknown[] = [];
    const c = await createClient(opts(namespace));
    c.on('error', (e) => errors.push(e));
    expect((await c.segments()).map((m) => m.id)).toEqual(['xq_reader_seg']);
    expect(c.consent.get()).toMatchObject({ xq_personal_purpose: 'granted', xq_measure_purpose: 'granted' });
    expect(await c.consent.verify()).toBe(true);
    const data = await c.exportData();
    expect(data.interests).toEqual(['xq_hiking_interest']);
    expect(JSON.stringify(data)).toContain('xq_article_view');
    expect(errors).toEqual([]);
    await c.close();
  });

  it('forget() leaves no database, key included', async () => {
    watch = watchPage();
    const namespace = ns();
    const c = await visit(namespace);
    await c.forget();
    await c.close();
    const dbs = await indexedDB.databases();
    expect(dbs.map((d) => d.name)).not.toContain(`cohortkit:${namespace}`);
  });

  it('a tampered ciphertext is ignored with one storage error, nothing reaches the page', async () => {
    watch = watchPage();
    const namespace = ns();
    await (await visit(namespace)).close();
    const db = await openDB(`cohortkit:${namespace}`);
    const [rec] = (await db.getAll('memberships')) as Array<{ id: string; iv: Uint8Array; ct: ArrayBuffer }>;
    const ct = new Uint8Array(rec!.ct.slice(0));
    ct[0]! ^= 1;
    await db.put('memberships', { ...rec!, ct: ct.buffer });
    db.close();
    const errors: Array<{ code?: string }> = [];
    const c = await createClient(opts(namespace));
    c.on('error', (e) => errors.push(e as { code?: string }));
    const segs = await c.segments(); // the tampered membership is gone; the signal re-derives it or not, never a crash
    expect(Array.isArray(segs)).toBe(true);
    expect(await c.consent.verify()).toBe(true);
    await c.track('xq_article_view', { topic: 'xq_sports_prop' });
    expect(errors.filter((e) => e.code === 'storage').length).toBe(1);
    await c.close();
  });
});

describe('encryptAtRest option', () => {
  it('rejects a non-boolean, naming the option', async () => {
    watch = watchPage();
    for (const bad of ['yes', 1, null, {}]) {
      await expect(createClient({ namespace: ns(), encryptAtRest: bad as never })).rejects.toMatchObject({ code: 'invalid-options', message: expect.stringContaining('encryptAtRest') });
    }
  });

  it('is a no-op for the memory store (nothing on disk to protect)', async () => {
    watch = watchPage();
    const c = await createClient({ ...opts(ns()), storage: 'memory' });
    await c.consent.update({ xq_personal_purpose: true, measurement: true });
    await c.track('xq_article_view', { topic: 'xq_sports_prop' });
    expect((await c.segments()).map((m) => m.id)).toEqual(['xq_reader_seg']);
    await c.close();
  });
});

describe('encryptAtRest turned on for an existing plain database', () => {
  it('deletes the records it cannot encrypt in place (no clear text stays behind); the client starts afresh', async () => {
    watch = watchPage();
    globalThis.fetch = (async () => { throw new TypeError('offline'); }) as never;
    const namespace = ns();
    await (await visit(namespace, false)).close();
    expect(serialize(await dump(namespace))).toContain('xq_article_view'); // the plain visit is on disk
    const errors: Array<{ code?: string; message?: string }> = [];
    const c = await createClient(opts(namespace));
    c.on('error', (e) => errors.push(e as never));
    expect(c.consent.get()).toMatchObject({ xq_personal_purpose: 'unset' });
    expect(await c.segments()).toEqual([]);
    await c.close();
    expect(errors).toEqual([]); // deleted, so not even read as undecryptable
    const all = serialize(await dump(namespace)) + serialize(await keysOf(namespace));
    for (const s of SECRETS) expect(all, s).not.toContain(s);
    expect(all).toContain('[CryptoKey]');
    // Reopened: the encrypted database works, and nothing more is deleted.
    const again = await visit(namespace);
    await again.close();
    const later = await createClient(opts(namespace));
    const laterErrors: unknown[] = [];
    later.on('error', (e) => laterErrors.push(e));
    expect((await later.segments()).map((m) => m.id)).toEqual(['xq_reader_seg']);
    expect(await later.consent.verify()).toBe(true);
    expect(laterErrors).toEqual([]);
    await later.close();
  });
});

// Two tabs opening a new database at once (with and without Web Locks): encrypt-race.test.ts.

describe('encryptAtRest: compare-and-write (a track writes without reading first)', () => {
  const seg = [{ id: 'reader', description: 'reads', rule: { event: 'article_view', count: { gte: 2 } } }];

  it('the encrypted store compares the stamp: a stale one writes nothing; the snapshot decrypts and carries the stamp', async () => {
    watch = watchPage();
    const { encryptedStore } = await import('../../src/storage/encrypt');
    const { openIDBStore, dbName } = await import('../../src/storage/idb-store');
    const namespace = ns();
    const raw = await openIDBStore(namespace, () => undefined);
    const s = await encryptedStore(raw, () => undefined, dbName(namespace));
    const sig = (count: number) => ({ key: 'article_view|1|', event: 'article_view', props: {}, day: 1, count, first: 1, last: 1, times: [1], purposes: ['personalization'], expiresAt: 9e15 });
    expect(await s.writeIf!([{ type: 'put', store: 'signals', value: sig(1) }], { expect: undefined, next: 'one' })).toBe('one');
    expect(await s.snapshot!(['signals', 'memberships', 'meta'])).toEqual({ signals: [sig(1)], memberships: [], stamp: { value: 'one' } });
    // Stale: nothing written, the stamp stays.
    expect(await s.writeIf!([{ type: 'put', store: 'signals', value: sig(9) }], { expect: 'stale', next: 'two' })).toBe(false);
    expect(await s.getAll('signals')).toEqual([sig(1)]);
    expect(await s.writeIf!([{ type: 'put', store: 'signals', value: sig(2) }], { expect: 'one', next: 'two' })).toBe('two');
    expect((await s.snapshot!(['signals', 'meta'])).stamp).toEqual({ value: 'two' });
    // A claiming load (another tab's) claims the clear stamp beneath; the holder's next write puts a new one.
    expect((await s.snapshot!(['signals', 'meta'], true)).stamp).toEqual({ value: 'two' });
    expect((await s.snapshot!(['meta'])).stamp).toEqual({ value: 'two~' });
    expect(await s.writeIf!([{ type: 'put', store: 'signals', value: sig(3) }], { expect: 'two', next: 'three', keep: true })).toBe('three');
    expect(await s.writeIf!([{ type: 'put', store: 'signals', value: sig(2) }], { expect: 'three', next: 'four', keep: true })).toBe('three');
    // On disk the record is sealed; the stamp beside it is only the random token.
    expect(serialize(await dump(namespace))).not.toMatch(/article_view/);
    // A hostile stamp (not a string) reads as none.
    s.close();
    const db = await openDB(`cohortkit:${namespace}`);
    await db.put('meta', { evil: 1 }, 'cohortkit:stamp');
    db.close();
    const again = await encryptedStore(await openIDBStore(namespace, () => undefined), () => undefined, dbName(namespace));
    expect((await again.snapshot!(['meta'])).stamp).toEqual({ value: undefined });
    again.close();
  });

  it('an encrypted track reads no signal before it writes, and two tabs with no message between them lose no count', async () => {
    watch = watchPage();
    const namespace = ns();
    let t = Date.now();
    const now = () => (t += 1500); // past the 1 s duplicate window, in both tabs
    const a = await createClient({ namespace, segments: seg, encryptAtRest: true, now });
    const b = await createClient({ namespace, segments: seg, encryptAtRest: true, now });
    await a.consent.update({ personalization: true });
    await new Promise((r) => setTimeout(r, 50));
    const gets = vi.spyOn(IDBObjectStore.prototype, 'get');
    const post = vi.spyOn(BroadcastChannel.prototype, 'postMessage').mockImplementation(() => undefined);
    try {
      for (let i = 0; i < 10; i++) expect(await a.track('article_view')).toEqual({ stored: true, reason: 'stored' });
      // Only the stamp is read inside each write's own transaction (meta), never a signal.
      expect(gets.mock.contexts.map((s) => (s as IDBObjectStore).name).filter((n) => n !== 'meta')).toEqual([]);
      // B never heard of A's tracks: its compared write fails, it reloads, and adds to A's count.
      for (let i = 0; i < 5; i++) {
        expect(await b.track('article_view')).toEqual({ stored: true, reason: 'stored' });
        expect(await a.track('article_view')).toEqual({ stored: true, reason: 'stored' });
      }
      const c = await createClient({ namespace, segments: seg, encryptAtRest: true, now });
      expect((await c.explain('reader')).conditions[0]).toMatchObject({ path: 'rule.count', observed: 20 });
      await c.close();
    } finally {
      gets.mockRestore();
      post.mockRestore();
      await a.close();
      await b.close();
    }
  });
});
