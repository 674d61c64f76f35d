// The stamp (compare-and-write), the one-transaction snapshot and the primed start-up store,
// on IndexedDB (fake-indexeddb) and memory, and a cold start that reads each store once.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/index';
import { createMemoryStore, openStore, STAMP_KEY, type Store } from '../../src/storage';
import { primeStore } from '../../src/storage/primed';
import { watchPage } from '../client/fault-helpers';

let n = 0;
const ns = () => `stamp${Date.now().toString(36)}${n++}`;
const signal = (key: string, count = 1) => ({ key, event: 'view', props: {}, day: 1, count, first: 1, last: 1, times: [1], purposes: ['personalization'], expiresAt: 9e15 });
let restore: Array<() => void> = [];
afterEach(() => (restore.forEach((f) => f()), (restore = [])));

const backends: Array<[string, () => Promise<Store>]> = [
  ['indexeddb', () => openStore({ storage: 'indexeddb', namespace: ns(), onError: () => undefined })],
  ['memory', async () => createMemoryStore()],
];

describe.each(backends)('compare-and-write (%s)', (kind, open) => {
  it('writes when the stamp is as expected, sets the new one; refuses (nothing written) when it is not', async () => {
    const watch = watchPage();
    const s = await open();
    expect(await s.writeIf!([{ type: 'put', store: 'signals', value: signal('a') }], { expect: undefined, next: 'one' })).toBe('one');
    expect(await s.get('meta', STAMP_KEY)).toBe('one');
    // A stale expectation: nothing of the batch is written, the stamp stays.
    expect(await s.writeIf!([{ type: 'put', store: 'signals', value: signal('a', 5) }, { type: 'put', store: 'signals', value: signal('b') }], { expect: 'stale', next: 'two' })).toBe(false);
    expect(await s.getAll('signals')).toEqual([signal('a')]);
    expect(await s.get('meta', STAMP_KEY)).toBe('one');
    expect(await s.writeIf!([{ type: 'put', store: 'signals', value: signal('a', 2) }], { expect: 'one', next: 'two' })).toBe('two');
    expect(await s.getAll('signals')).toEqual([signal('a', 2)]);
    s.close();
    await watch.check();
  });

  it('any plain write to signals or memberships changes the stamp (other tabs learn of it); others do not', async () => {
    const s = await open();
    await s.writeIf!([], { expect: undefined, next: 'mine' });
    await s.write([{ type: 'put', store: 'meta', key: 'x', value: 1 }]);
    expect(await s.get('meta', STAMP_KEY)).toBe('mine');
    await s.write([{ type: 'delete', store: 'memberships', key: 'nope' }]);
    const after = await s.get('meta', STAMP_KEY);
    expect(after).not.toBe('mine');
    // IndexedDB (shared by tabs): this page's random prefix and a counter; memory (this page only): a counter.
    expect(after).toMatch(kind === 'indexeddb' ? /^[0-9a-f]{24}\.[0-9a-z]+$/ : /^m\d+$/);
    await s.write([{ type: 'delete', store: 'signals', key: 'nope' }]);
    expect(await s.get('meta', STAMP_KEY)).not.toBe(after); // every write a new one
    expect(await s.writeIf!([{ type: 'put', store: 'signals', value: signal('a') }], { expect: 'mine', next: 'z' })).toBe(false);
    s.close();
  });

  it('a hostile stamp (not a string, written by another script) reads as none: compared writes still go through', async () => {
    for (const bad of [{ evil: true }, 42, null, ['x'], 'x'.repeat(10_000)]) {
      const s = await open();
      await s.write([{ type: 'put', store: 'meta', key: STAMP_KEY, value: bad }]);
      const expect_ = typeof bad === 'string' ? bad : undefined;
      expect(await s.writeIf!([{ type: 'put', store: 'signals', value: signal('a') }], { expect: expect_, next: 'ok' })).toBe('ok');
      expect(await s.get('meta', STAMP_KEY)).toBe('ok');
      s.close();
    }
  });

  it('keep: the stamp the writer holds stays when found unclaimed (no put); claimed (S~), the write goes through and puts the next', async () => {
    const s = await open();
    expect(await s.writeIf!([{ type: 'put', store: 'signals', value: signal('a') }], { expect: undefined, next: 'one', keep: true })).toBe('one'); // none to keep
    expect(await s.writeIf!([{ type: 'put', store: 'signals', value: signal('a', 2) }], { expect: 'one', next: 'two', keep: true })).toBe('one');
    expect(await s.get('meta', STAMP_KEY)).toBe('one');
    expect(await s.getAll('signals')).toEqual([signal('a', 2)]);
    // Another tab loads under it: its snapshot claims it (once), and the holder's next write puts a
    // new one. The memory store is this page's alone (no other tab loads): it claims nothing, and a
    // claimed stamp written into it counts the same.
    await s.snapshot!(['signals', 'meta'], true);
    if (kind === 'memory') {
      expect(await s.get('meta', STAMP_KEY)).toBe('one');
      await s.write([{ type: 'put', store: 'meta', key: STAMP_KEY, value: 'one~' }]);
    }
    expect(await s.get('meta', STAMP_KEY)).toBe('one~');
    await s.snapshot!(['signals', 'meta'], true);
    expect(await s.get('meta', STAMP_KEY)).toBe('one~');
    expect(await s.writeIf!([{ type: 'put', store: 'signals', value: signal('a', 3) }], { expect: 'one', next: 'three', keep: true })).toBe('three');
    expect(await s.get('meta', STAMP_KEY)).toBe('three');
    // The claimer's compare (it expects 'one') now fails: it reloads.
    expect(await s.writeIf!([{ type: 'put', store: 'signals', value: signal('a', 9) }], { expect: 'one', next: 'x' })).toBe(false);
    expect(await s.getAll('signals')).toEqual([signal('a', 3)]);
    // Without keep (a stamp from a load), a write under a stamp found unclaimed puts the next.
    expect(await s.writeIf!([], { expect: 'three', next: 'four' })).toBe('four');
    // The holder's own load does not claim what it holds; anyone else's does.
    await s.snapshot!(['meta'], 'four');
    expect(await s.get('meta', STAMP_KEY)).toBe('four');
    await s.snapshot!(['meta'], 'other');
    expect(await s.get('meta', STAMP_KEY)).toBe(kind === 'memory' ? 'four' : 'four~');
    s.close();
  });

  it('a claim needs a stamp: with none (nothing stored yet, no consent), a load stores nothing; hostile stamps are not claimed', async () => {
    const s = await open();
    await s.snapshot!(['ledger', 'signals', 'memberships', 'outbox', 'meta'], true);
    for (const n of ['ledger', 'signals', 'memberships', 'outbox', 'meta'] as const) expect(await s.getAll(n)).toEqual([]);
    for (const bad of [{ evil: true }, 42, '', '~', 'a~b~c']) {
      await s.write([{ type: 'put', store: 'meta', key: STAMP_KEY, value: bad }]);
      await s.snapshot!(['meta'], true);
      expect(await s.get('meta', STAMP_KEY)).toEqual(bad);
    }
    // What they stand for: none, none, none, none ('~' claims nothing), 'a' (a claimed 'a').
    expect(await s.writeIf!([], { expect: 'a', next: 'n', keep: true })).toBe('n');
    await s.write([{ type: 'put', store: 'meta', key: STAMP_KEY, value: '~' }]);
    expect(await s.writeIf!([], { expect: undefined, next: 'm', keep: true })).toBe('m');
    s.close();
  });

  it('snapshot: every store in one read, meta as key → value', async () => {
    const s = await open();
    await s.write([{ type: 'put', store: 'signals', value: signal('a') }, { type: 'put', store: 'meta', key: 'k', value: { v: 1 } }]);
    const snap = await s.snapshot!(['signals', 'ledger', 'meta']);
    expect(snap.signals).toEqual([signal('a')]);
    expect(snap.ledger).toEqual([]);
    expect(snap.meta?.get('k')).toEqual({ v: 1 });
    expect(typeof snap.meta?.get(STAMP_KEY)).toBe('string');
    s.close();
  });
});

describe('a claim that cannot be stored', () => {
  it('(quota) fails only itself: the start reads IndexedDB as before, and the next track reads what it writes over', async () => {
    const { inject } = await import('../client/fault-helpers');
    const namespace = ns();
    let now = Date.UTC(2026, 0, 5);
    const segments = [{ id: 'reader', description: 'x', rule: { event: 'view', count: { gte: 2 } } }];
    const a = await createClient({ namespace, segments, now: () => (now += 1000) });
    await a.consent.update({ personalization: true });
    await a.track('view', { i: 1 } as never);
    await a.track('view', { i: 2 } as never);
    await a.close();
    const errors: unknown[] = [];
    const fault = inject('quota'); // every put throws QuotaExceededError: the start's claim among them
    let b;
    try {
      b = await createClient({ namespace, segments, now: () => (now += 1000) });
      b.on('error', (e) => errors.push(e));
      expect(b.storage).toBe('indexeddb'); // not the memory fallback
      expect(b.consent.get().personalization).toBe('granted');
      expect((await b.segments()).map((m) => m.id)).toEqual(['reader']);
      expect(fault.hits()).toBeGreaterThan(0);
    } finally {
      fault.restore();
    }
    expect(await b.track('view', { i: 3 } as never)).toEqual({ stored: true, reason: 'stored' });
    expect((await b.exportData()).signals.find((x) => (x as { event: string }).event === 'view')).toMatchObject({ count: 3 });
    await b.close();
  });
});

describe('the stamp protocol fences tabs of the earlier one (schema version 2)', () => {
  it('a database of version 1 is upgraded in place (its records kept); a version-1 connection open elsewhere is asked to step aside', async () => {
    const namespace = ns();
    const { openDB } = await import('idb');
    const { DB_VERSION } = await import('../../src/storage');
    expect(DB_VERSION).toBe(2);
    // A tab of the earlier release: version 1, the same stores, a rollup and a stamp of its own.
    const old = await openDB(`cohortkit:${namespace}`, 1, {
      upgrade(db) {
        db.createObjectStore('ledger', { keyPath: 'seq' });
        db.createObjectStore('signals', { keyPath: 'key' }).createIndex('by-event', 'event');
        db.createObjectStore('memberships', { keyPath: 'id' });
        db.createObjectStore('outbox', { keyPath: 'id' });
        db.createObjectStore('meta');
      },
    });
    await old.put('signals', signal('a', 4));
    await old.put('meta', 'old-stamp', STAMP_KEY);
    let asked = 0;
    old.addEventListener('versionchange', () => (asked++, old.close())); // what that release does (idb's `blocking`)
    const s = await openStore({ storage: 'indexeddb', namespace, onError: () => undefined });
    expect(asked).toBe(1);
    expect(await s.getAll('signals')).toEqual([signal('a', 4)]);
    const db = await openDB(`cohortkit:${namespace}`);
    expect(db.version).toBe(2);
    db.close();
    // Its connection is closed: it cannot write under a stamp this release keeps unclaimed.
    expect(() => old.transaction('signals', 'readwrite')).toThrow();
    s.close();
  });
});

describe('primed store (cold start)', () => {
  it('serves reads from the snapshot, copies out, and never serves a store once something wrote to it', async () => {
    const real = createMemoryStore();
    await real.write([{ type: 'put', store: 'signals', value: signal('a') }]);
    const p = await primeStore(real);
    const got = await p.getAll('signals');
    got[0]!.count = 99; // the caller's copy
    expect(await p.get('signals', 'a')).toEqual(signal('a'));
    await real.write([{ type: 'put', store: 'signals', value: signal('b') }]); // not through p: still served from the snapshot
    expect(await p.getAll('signals')).toHaveLength(1);
    await p.write([{ type: 'put', store: 'signals', value: signal('c') }]); // through p: the store is read again
    expect((await p.getAll('signals')).map((x) => x.key)).toEqual(['a', 'b', 'c']);
    // …and the stamp (meta) changed with that write: a snapshot of it is not served either.
    expect((await p.snapshot!(['signals', 'meta'])).meta?.get(STAMP_KEY)).toBe(await real.get('meta', STAMP_KEY));
    p.release();
    await real.write([{ type: 'put', store: 'ledger', value: { seq: 1 } as never }]);
    expect(await p.getAll('ledger')).toHaveLength(1);
  });

  it('a client cold start reads each store once, in one transaction (IndexedDB)', async () => {
    const namespace = ns();
    let now = Date.UTC(2026, 0, 5);
    const segments = [{ id: 'reader', description: 'x', rule: { event: 'view', count: { gte: 2 } } }];
    const a = await createClient({ namespace, segments, now: () => now });
    await a.consent.update({ personalization: true });
    for (let i = 0; i < 5; i++) (now += 1000), await a.track('view', { i } as never);
    await a.close();
    const reads: string[] = [];
    for (const m of ['get', 'getAll', 'getAllKeys'] as const) {
      const orig = IDBObjectStore.prototype[m] as (...x: unknown[]) => IDBRequest;
      const spy = vi.spyOn(IDBObjectStore.prototype, m).mockImplementation(function (this: IDBObjectStore, ...x: unknown[]) {
        reads.push(`${m} ${this.name}${m === 'get' ? ` ${String(x[0])}` : ''}`);
        return orig.apply(this, x);
      } as never);
      restore.push(() => spy.mockRestore());
    }
    const b = await createClient({ namespace, segments, now: () => now });
    expect((await b.segments()).map((m) => m.id)).toEqual(['reader']);
    // One snapshot of every store and nothing else: personalization (an add-on) reads its two
    // values on the first decide() (on their own, so a failure there leaves it without just that state).
    expect(reads.filter((r) => r.startsWith('getAll ')).sort()).toEqual(['getAll ledger', 'getAll memberships', 'getAll meta', 'getAll outbox', 'getAll signals']);
    expect(reads.filter((r) => r.startsWith('get '))).toEqual([]);
    await b.decide({ slot: 'hero', variants: [{ segment: 'reader', value: 1 }], fallback: 0 });
    await b.decide({ slot: 'hero', variants: [{ segment: 'reader', value: 1 }], fallback: 0 });
    restore.forEach((f) => f()), (restore = []);
    expect(reads.filter((r) => r.startsWith('get ')).sort()).toEqual(['get meta decide:caps', 'get meta decide:localId']);
    await b.close();
  });
});

describe('a database deleted by a forget() in another tab', () => {
  const listed = async (name: string) => (await indexedDB.databases()).some((d) => d.name === `cohortkit:${name}`);

  it('a write planned against its stamp is refused (false) and does not recreate it; onDeleted is called first', async () => {
    const namespace = ns();
    let deleted = 0;
    const b = await openStore({ storage: 'indexeddb', namespace, onError: () => undefined, onDeleted: () => deleted++ });
    const a = await openStore({ storage: 'indexeddb', namespace, onError: () => undefined });
    expect(await b.writeIf!([{ type: 'put', store: 'signals', value: signal('a') }], { expect: undefined, next: 'one' })).toBe('one');
    await a.destroy(); // the other tab's forget(): B's connection gets versionchange(null) and steps aside
    expect(deleted).toBe(1);
    expect(await listed(namespace)).toBe(false);
    // Planned before the deletion (expects 'one'): nothing written, nothing recreated.
    expect(await b.writeIf!([{ type: 'put', store: 'signals', value: signal('a', 2) }], { expect: 'one', next: 'two' })).toBe(false);
    expect(await listed(namespace)).toBe(false);
    // Reads do not recreate it either, and see it empty.
    expect(await b.getAll('signals')).toEqual([]);
    expect(await listed(namespace)).toBe(false);
    // Replanned from an empty state (no stamp): written, into a new database.
    expect(await b.writeIf!([{ type: 'put', store: 'signals', value: signal('c') }], { expect: undefined, next: 'three' })).toBe('three');
    expect(await listed(namespace)).toBe(true);
    a.changedElsewhere!(); // B's message, posted after its write
    expect(await a.getAll('signals')).toEqual([signal('c')]);
    a.close();
    b.close();
  });

  it('tab B, with no message from A arriving, drops its state at the deletion itself: its next track writes nothing back', async () => {
    const namespace = ns();
    const segments = [{ id: 'buyer', description: 'buys', rule: { event: 'purchase' } }];
    const a = await createClient({ namespace, segments });
    const b = await createClient({ namespace, segments });
    await a.consent.update({ personalization: true });
    await vi.waitFor(() => expect(b.consent.get().personalization).toBe('granted'));
    expect(await b.track('purchase')).toEqual({ stored: true, reason: 'stored' });
    expect((await b.segments()).map((m) => m.id)).toEqual(['buyer']);
    const post = vi.spyOn(BroadcastChannel.prototype, 'postMessage').mockImplementation(() => undefined);
    try {
      const events: unknown[] = [];
      b.on('segments', (m) => events.push(m));
      await a.forget();
      expect(await listed(namespace)).toBe(false);
      // B was told by the deletion itself, not by A's message (none crossed).
      expect(b.consent.get().personalization).toBe('unset');
      expect(events).toEqual([[]]);
      expect(await b.track('purchase')).toEqual({ stored: false, reason: 'no-consent' });
      expect(await b.segments()).toEqual([]);
      expect((await b.exportData()).signals).toEqual([]);
      expect(await b.consent.history()).toEqual([]);
      expect(await listed(namespace)).toBe(false);
    } finally {
      post.mockRestore();
      await a.close();
      await b.close();
    }
  });
});
