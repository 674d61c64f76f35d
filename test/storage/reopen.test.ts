// The store under a connection lost to another page: every operation reopens or continues from
// memory, concurrent ones included, and nothing reaches the page.
import { deleteDB, openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_VERSION, openStore } from '../../src/storage';
import { watchPage } from '../client/fault-helpers';

let n = 0;
const ns = () => `reopen${Date.now().toString(36)}${n++}`;
let watch: ReturnType<typeof watchPage>;
afterEach(async () => {
  await watch.check();
});

describe('openStore after another page deleted the database', () => {
  it('concurrent operations all settle on the reopened store', async () => {
    watch = watchPage();
    const namespace = ns();
    const errors: unknown[] = [];
    const store = await openStore({ storage: 'indexeddb', namespace, onError: (e) => errors.push(e) });
    await store.write([{ type: 'put', store: 'meta', key: 'k', value: 1 }]);
    await deleteDB(`cohortkit:${namespace}`); // our connection steps aside (versionchange)
    const results = await Promise.allSettled([
      store.getAll('ledger'),
      store.get('meta', 'k'),
      store.write([{ type: 'put', store: 'meta', key: 'k2', value: 2 }]),
      store.getAll('outbox'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect((results[1] as PromiseFulfilledResult<unknown>).value).toBeUndefined(); // it was deleted
    expect(await store.get('meta', 'k2')).toBe(2);
    expect(store.kind).toBe('indexeddb');
    store.close();
  });

  it('a newer version opened by another page: concurrent operations continue from memory, with one error', async () => {
    watch = watchPage();
    const namespace = ns();
    const errors: Array<{ code: string; message: string }> = [];
    const store = await openStore({ storage: 'indexeddb', namespace, onError: (e) => errors.push(e) });
    const newer = await openDB(`cohortkit:${namespace}`, DB_VERSION + 1); // we step aside for the upgrade
    const results = await Promise.allSettled([store.getAll('ledger'), store.write([{ type: 'put', store: 'meta', key: 'k', value: 1 }]), store.get('meta', 'k')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(store.kind).toBe('memory');
    expect(await store.get('meta', 'k')).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'storage', message: expect.stringContaining('continuing from memory') });
    newer.close();
    store.close();
  });
  it('reads after another page deleted it (a forget() elsewhere) do not recreate it; a write does; a recreation elsewhere is read once its message arrives', async () => {
    watch = watchPage();
    const namespace = ns();
    const name = `cohortkit:${namespace}`;
    const listed = async () => (await indexedDB.databases()).some((d) => d.name === name);
    const store = await openStore({ storage: 'indexeddb', namespace, onError: () => undefined });
    await store.write([{ type: 'put', store: 'meta', key: 'k', value: 1 }]);
    await deleteDB(name);
    expect(await Promise.all([store.get('meta', 'k'), store.getAll('ledger'), store.getAll('signals')])).toEqual([undefined, [], []]);
    await store.write([{ type: 'delete', store: 'meta', key: 'k' }, { type: 'clear', store: 'signals' }]);
    expect(await listed()).toBe(false);
    const other = await openDB(name, DB_VERSION, { upgrade: (db) => void db.createObjectStore('meta') });
    await other.put('meta', 2, 'k');
    other.close();
    // Until its message says so, reads stay where they are: right after a deletion the engine may
    // still list the database being deleted, and reopening then would recreate it.
    expect(await store.get('meta', 'k')).toBeUndefined();
    store.changedElsewhere!(); // the other page's message (posted after its write)
    expect(await store.get('meta', 'k')).toBe(2); // another page wrote: we read its database again
    await deleteDB(name);
    expect(await store.get('meta', 'k')).toBeUndefined();
    await store.write([{ type: 'put', store: 'meta', key: 'k3', value: 3 }]);
    expect(await listed()).toBe(true);
    expect(await store.get('meta', 'k3')).toBe(3);
    store.close();
  });
});
