// destroy() of a store running from memory (asked for, or fallen back to) deletes the namespace's
// IndexedDB database as well: an earlier page's data is in it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDB } from 'idb';
import { CohortkitError } from '../../src/errors';
import { openStore } from '../../src/storage';

let n = 0;
const ns = () => `sdm${Date.now().toString(36)}-${n++}`;
const exists = async (namespace: string) => (await indexedDB.databases()).some((d) => d.name === `cohortkit:${namespace}`);
const seed = async (namespace: string) => {
  const db = await openDB(`cohortkit:${namespace}`, 1, { upgrade: (d) => void d.createObjectStore('ledger', { keyPath: 'seq' }) });
  await db.put('ledger', { seq: 1 });
  db.close();
};

afterEach(() => vi.restoreAllMocks());

describe('destroy() from memory', () => {
  it("storage 'memory': deletes the database and the memory", async () => {
    const namespace = ns();
    await seed(namespace);
    const errors: unknown[] = [];
    const s = await openStore({ storage: 'memory', namespace, onError: (e) => errors.push(e) });
    await s.write([{ type: 'put', store: 'meta', key: 'k', value: 1 }]);
    await s.destroy();
    expect(await s.get('meta', 'k')).toBeUndefined();
    expect(await exists(namespace)).toBe(false);
    expect(errors).toEqual([]);
  });

  it('fallen back to memory (IndexedDB open threw): deletes the database', async () => {
    const namespace = ns();
    await seed(namespace);
    const orig = indexedDB.open.bind(indexedDB);
    let fail = 1;
    vi.spyOn(indexedDB, 'open').mockImplementation((...a: [string, number?]) => {
      if (fail-- > 0) throw new DOMException('transient', 'UnknownError');
      return orig(...a);
    });
    const s = await openStore({ storage: 'indexeddb', namespace, onError: () => undefined });
    expect(s.kind).toBe('memory');
    await s.destroy();
    expect(await exists(namespace)).toBe(false);
  });

  it('a deletion that throws rejects a `storage` CohortkitError', async () => {
    vi.spyOn(indexedDB, 'deleteDatabase').mockImplementation(() => {
      throw new DOMException('nope', 'UnknownError');
    });
    const namespace = ns();
    const s = await openStore({ storage: 'memory', namespace, onError: () => undefined });
    const e = await s.destroy().then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(CohortkitError);
    expect([(e as CohortkitError).code, (e as Error).message]).toEqual(['storage', `deleting IndexedDB "cohortkit:${namespace}" failed: nope`]);
  });
});
