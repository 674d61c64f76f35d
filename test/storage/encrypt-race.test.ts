// encryptAtRest: two tabs opening a new database at once must end with ONE key set, with or
// without Web Locks (Safari < 15.4 and happy-dom have none). A barrier on generateKey holds each
// side until both have looked for stored keys and found none, so the race happens every run
// (with the earlier read-then-put it left the tabs with two key sets: this file failed).
import { openDB } from 'idb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/index';
import { encryptedStore } from '../../src/storage/encrypt';
import { openStore } from '../../src/storage/index';
import { dbName, openIDBStore } from '../../src/storage/idb-store';
import { createMemoryStore } from '../../src/storage/memory-store';
import type { Store } from '../../src/storage/store';
import type { ClientOptions } from '../../src/types';
import { watchPage } from '../client/fault-helpers';
import { installSerialLocks } from '../helpers';

let n = 0;
const ns = () => `race${Date.now().toString(36)}${n++}`;
const opts = (namespace: string): ClientOptions => ({
  namespace,
  encryptAtRest: true,
  purposes: [{ id: 'xq_personal_purpose' }, { id: 'xq_measure_purpose' }],
  segments: [{ id: 'xq_reader_seg', description: 'reads', rule: { event: 'xq_article_view' }, purposes: ['xq_personal_purpose'] }],
});

/** Holds the first `n` AES key generations until all `n` have started; counts every generateKey. */
function barrierOnGenerateKey(n = 2) {
  const real = crypto.subtle.generateKey.bind(crypto.subtle);
  let waiting: Array<() => void> = [];
  const calls = { aes: 0, all: 0 };
  const spy = vi.spyOn(crypto.subtle, 'generateKey').mockImplementation((async (alg: AlgorithmIdentifier, ...rest: unknown[]) => {
    calls.all++;
    if ((alg as Algorithm).name === 'AES-GCM' && ++calls.aes <= n) {
      await new Promise<void>((release) => {
        waiting.push(release);
        if (waiting.length === n) waiting.splice(0).forEach((r) => r());
      });
    }
    return (real as (...a: unknown[]) => Promise<CryptoKey>)(alg, ...rest);
  }) as never);
  return { calls, restore: () => ((waiting = []), spy.mockRestore()) };
}

const locked = [
  ['without Web Locks', () => ({ restore: () => undefined })],
  ['with Web Locks (serial stub)', () => installSerialLocks()],
] as const;

let watch: ReturnType<typeof watchPage>;
let barrier: ReturnType<typeof barrierOnGenerateKey>;
const fetchOrig = globalThis.fetch;
beforeEach(() => {
  watch = watchPage();
  globalThis.fetch = (async () => {
    throw new TypeError('offline');
  }) as never;
  expect((navigator as { locks?: unknown }).locks).toBeFalsy(); // happy-dom: null
});
afterEach(async () => {
  barrier?.restore();
  globalThis.fetch = fetchOrig;
  await watch.check();
});

describe.each(locked)('encryptAtRest: two tabs opening a new database at once, %s', (_name, install) => {
  it('both stores end with one key set: each reads what the other wrote', async () => {
    const env = install();
    try {
      const namespace = ns();
      barrier = barrierOnGenerateKey();
      const errors: unknown[] = [];
      const open = async () => encryptedStore(await openIDBStore(namespace, () => undefined), (e) => errors.push(e), dbName(namespace));
      const [a, b] = (await Promise.all([open(), open()])) as [Store, Store];
      // Both sides looked, found no keys and made their own (the race was real), in both variants:
      // key creation takes no Web Lock any more, the transaction alone decides.
      expect(barrier.calls.aes).toBe(2);
      await a.write([{ type: 'put', store: 'meta', key: 'from-a', value: { n: 1 } }]);
      await b.write([{ type: 'put', store: 'memberships', value: { id: 'from-b', version: 1, since: 5, purposes: ['p'] } }]);
      expect(await b.get('meta', 'from-a')).toEqual({ n: 1 });
      expect(await a.get('memberships', 'from-b')).toEqual({ id: 'from-b', version: 1, since: 5, purposes: ['p'] });
      expect(await a.getAll('memberships')).toHaveLength(1);
      expect(errors).toEqual([]);
      // On disk: one key record, and it holds CryptoKeys.
      const db = await openDB(dbName(namespace));
      const meta = (await db.getAll('meta')) as unknown[];
      db.close();
      expect(meta.filter((v) => (v as { aes?: unknown })?.aes instanceof CryptoKey)).toHaveLength(1);
      a.close();
      b.close();
    } finally {
      env.restore();
    }
  });

  it('two clients: a later page reads the consent and signals both wrote, the ledger verifies', async () => {
    const env = install();
    try {
      const namespace = ns();
      barrier = barrierOnGenerateKey();
      const [a, b] = await Promise.all([createClient(opts(namespace)), createClient(opts(namespace))]);
      expect(barrier.calls.aes).toBe(2);
      await a.consent.update({ xq_personal_purpose: true });
      await a.track('xq_article_view');
      await b.consent.update({ xq_measure_purpose: true });
      await a.close();
      await b.close();
      const later = await createClient(opts(namespace));
      const errors: unknown[] = [];
      later.on('error', (e) => errors.push(e));
      expect(later.consent.get()).toMatchObject({ xq_personal_purpose: 'granted', xq_measure_purpose: 'granted' });
      expect((await later.segments()).map((m) => m.id)).toEqual(['xq_reader_seg']);
      expect(await later.consent.verify()).toBe(true);
      expect((await later.consent.history()).length).toBe(2);
      expect(errors).toEqual([]);
      await later.close();
    } finally {
      env.restore();
    }
  });
});

describe('encryptAtRest keys: hostile and absent databases', () => {
  it('a key record that is not a key set (garbage) is replaced; the client works and one key set remains', async () => {
    const namespace = ns();
    await (await createClient(opts(namespace))).close();
    const db = await openDB(dbName(namespace));
    for (const garbage of ['key', { aes: 'x', hmac: 'y' }, null]) {
      await db.put('meta', garbage, 'cohortkit:keys');
      const c = await createClient(opts(namespace));
      await c.consent.update({ xq_personal_purpose: true });
      await c.track('xq_article_view');
      expect((await c.segments()).map((m) => m.id)).toEqual(['xq_reader_seg']);
      await c.close();
      expect(((await db.get('meta', 'cohortkit:keys')) as { aes?: unknown }).aes).toBeInstanceOf(CryptoKey);
    }
    db.close();
  });

  it('keys that cannot be stored (DataCloneError) abort the whole transaction: nothing is deleted, the client runs from memory with a storage error', async () => {
    const namespace = ns();
    const plain = await createClient({ ...opts(namespace), encryptAtRest: false });
    await plain.consent.update({ xq_personal_purpose: true });
    await plain.close();
    const spy = vi.spyOn(crypto.subtle, 'generateKey').mockResolvedValue((() => 0) as never); // a function: not cloneable
    try {
      const errors: Array<{ code?: string; message?: string }> = [];
      const c = await openStore({ storage: 'indexeddb', namespace, encryptAtRest: true, onError: (e) => errors.push(e) });
      expect(c.kind).toBe('memory');
      expect(errors.map((e) => `${e.code}: ${e.message}`)).toEqual([expect.stringMatching(/^storage: storing keys in "cohortkit:race\w+": .*; continuing from memory$/)]);
      c.close();
    } finally {
      spy.mockRestore();
    }
    const db = await openDB(dbName(namespace));
    expect(await db.getAll('ledger')).toHaveLength(1); // the clear() calls of the aborted transaction did not commit
    expect(await db.get('meta', 'cohortkit:keys')).toBeUndefined();
    db.close();
  });

  it('storing keys never creates a database that is not there (deleted meanwhile): rejects with a storage error', async () => {
    const name = dbName(ns());
    await expect(encryptedStore(createMemoryStore(), () => undefined, name)).rejects.toMatchObject({ code: 'storage', message: expect.stringContaining(name) });
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(name);
  });
});
