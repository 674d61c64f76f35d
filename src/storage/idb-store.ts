import { deleteDB, openDB, unwrap, type IDBPDatabase, type IDBPObjectStore } from 'idb';
import { CohortkitError } from '../errors';
import { DB_VERSION, type CohortkitDB, type StoreName } from './schema';
import { STAMP_KEY, STAMPED, claimed, newStamp, nextStamp, type Snapshot, type Stamp, type Store, type WriteOp } from './store';
import { MIGRATIONS } from './migrations';

type DB = IDBPDatabase<CohortkitDB>;

/** Database name for a namespace. */
export const dbName = (namespace: string) => `cohortkit:${namespace}`;

const OPEN_TIMEOUT_MS = 3000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new CohortkitError('storage', `${what} timed out after ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

const storageError = (what: string, cause: unknown) =>
  cause instanceof CohortkitError
    ? cause
    : new CohortkitError('storage', `${what} failed: ${(cause as Error)?.message ?? String(cause)}`, cause);

/**
 * Delete the database `name`, if IndexedDB exists here (a getter that throws counts as none).
 * Other tabs close their connection when asked (`blocking` below); one that does not keeps the
 * deletion blocked: this rejects (`storage`) after OPEN_TIMEOUT_MS rather than hang.
 */
export async function deleteIDB(name: string): Promise<void> {
  try {
    if (!indexedDB) return;
  } catch {
    return;
  }
  try {
    await withTimeout(deleteDB(name), OPEN_TIMEOUT_MS, `deleting IndexedDB "${name}"`);
  } catch (e) {
    throw storageError(`deleting IndexedDB "${name}"`, e);
  }
}

/**
 * Open the IndexedDB backend. Rejects with a `storage` CohortkitError when IndexedDB is
 * missing, throws, or stays blocked. `onLost` is called when another page upgrades or
 * deletes the database (we close our connection so it can proceed) or the browser kills it.
 */
export async function openIDBStore(namespace: string, onLost: (why: string) => void): Promise<Store> {
  if (typeof indexedDB === 'undefined' || !indexedDB) throw new CohortkitError('storage', 'IndexedDB is not available');
  const name = dbName(namespace);
  let db: DB | undefined;
  let lost = false;
  let timedOut = false;
  const opening = openDB<CohortkitDB>(name, DB_VERSION, {
    upgrade(database, oldVersion, _newVersion, tx) {
      // idb makes a `done` promise for the upgrade transaction; an aborted upgrade must not
      // leave it rejected and unhandled (the open request fails too, and we handle that).
      tx.done.catch(() => undefined);
      for (let v = oldVersion + 1; v <= DB_VERSION; v++) MIGRATIONS[v]!(database, tx);
    },
    blocking(_current, blocked) {
      // Another tab wants a newer version or to delete the database: step aside.
      db?.close();
      lost = true;
      onLost(blocked === null ? 'deleted' : 'versionchange');
    },
    terminated() {
      lost = true;
      onLost('terminated');
    },
  });
  // An open that completes after we gave up must not keep a connection (it would block upgrades).
  opening.then((d) => timedOut && d.close(), () => undefined);
  try {
    db = await withTimeout(opening, OPEN_TIMEOUT_MS, `opening IndexedDB "${name}"`);
  } catch (e) {
    timedOut = true;
    throw storageError(`opening IndexedDB "${name}"`, e);
  }
  const live = () => {
    if (lost) throw new CohortkitError('storage', `IndexedDB "${name}": the connection was closed`);
    return db!;
  };
  /**
   * A transaction on our connection (`raw`: on the unwrapped one, plain requests); one closed
   * under us (InvalidStateError) counts as lost, so the caller reopens.
   */
  function transaction<M extends IDBTransactionMode>(names: StoreName[], mode: M, raw?: false, relaxed?: boolean): ReturnType<DB['transaction']>;
  function transaction(names: StoreName[], mode: 'readwrite', raw: true): IDBTransaction;
  function transaction(names: StoreName[], mode: IDBTransactionMode, raw?: boolean, relaxed?: boolean) {
    try {
      return raw ? unwrap(live()).transaction(names, mode) : live().transaction(names, mode, relaxed ? { durability: 'relaxed' } : undefined);
    } catch (e) {
      if ((e as DOMException)?.name === 'InvalidStateError') {
        lost = true;
        onLost('closed');
      }
      throw e;
    }
  }
  /**
   * One read in its own transaction. idb's shortcut methods leave a read transaction's `done`
   * unhandled, so an aborted read would reach the page as an unhandled rejection: not here.
   */
  const read = async <T>(store: StoreName, fn: (s: IDBPObjectStore<CohortkitDB, StoreName[], StoreName, 'readonly'>) => Promise<T>) => {
    try {
      const tx = transaction([store], 'readonly');
      tx.done.catch(() => undefined);
      return await fn(tx.objectStore(store));
    } catch (e) {
      throw storageError(`reading ${store}`, e);
    }
  };

  /**
   * One readwrite transaction for `ops`. Writes to the stamped stores (signals, memberships) also
   * put a new stamp (STAMP_KEY in meta). With `stamp`, the current stamp is read first in the same
   * transaction: when it does not stand for `stamp.expect` the transaction is aborted (nothing
   * written) and this resolves false; otherwise it resolves the stamp it leaves (see nextStamp).
   */
  const apply = (ops: WriteOp[], stamp?: Stamp): Promise<string | false> =>
    new Promise((resolve, reject) => {
      if (!ops.length && !stamp) return resolve('');
      const stamped = !!stamp || ops.some((o) => STAMPED.has(o.store));
      const names = [...new Set([...ops.map((o) => o.store), ...(stamped ? (['meta'] as const) : [])])];
      const fail = (e: unknown) => reject(storageError(`writing ${names.join(', ')}`, e));
      let tx: IDBTransaction | undefined;
      // The hot path (every track): plain requests on the unwrapped connection, no promise or
      // listener per request. A failed request aborts the transaction; its error is the abort's.
      let left: string | false = '';
      try {
        tx = transaction(names, 'readwrite', true);
        const t = tx;
        t.oncomplete = () => resolve(left);
        t.onabort = () => (left === false ? resolve(false) : fail(t.error ?? new DOMException('the transaction was aborted', 'AbortError')));
        const meta = stamped ? t.objectStore('meta') : undefined;
        // Requests run in order: the read comes back before any write is made visible, and the
        // transaction cannot commit before we saw it (we abort in its callback when it differs,
        // or put the stamp it leaves there: still in this transaction).
        if (stamp) {
          const current = meta!.get(STAMP_KEY);
          current.onsuccess = () => {
            left = nextStamp(current.result, stamp);
            if (left === false) return t.abort();
            if (left !== current.result) meta!.put(left, STAMP_KEY);
            // Every request is made: commit now rather than when this task ends (engines without commit() wait).
            t.commit?.();
          };
        }
        for (const op of ops) {
          const st = t.objectStore(op.store);
          if (op.type === 'clear') st.clear();
          else if (op.type === 'delete') st.delete(op.key as IDBValidKey);
          else if (op.key === undefined) st.put(op.value);
          else st.put(op.value, op.key as IDBValidKey);
        }
        if (stamped && !stamp) meta!.put((left = newStamp()), STAMP_KEY);
        if (!stamp) t.commit?.();
      } catch (e) {
        // A request that threw synchronously (e.g. DataCloneError) must not let the others commit.
        try {
          tx?.abort();
        } catch {
          /* already finished or aborted */
        }
        fail(e);
      }
    });

  return {
    kind: 'indexeddb',
    get: (store, key) => read(store, (s) => s.get(key as never)) as never,
    getAll: (store) => read(store, (s) => s.getAll()) as never,
    write: (ops: WriteOp[]) => apply(ops).then(() => undefined),
    writeIf: (ops: WriteOp[], stamp: Stamp) => apply(ops, stamp),
    async snapshot(names: StoreName[], claim?: true | string): Promise<Snapshot> {
      try {
        // Claiming the stamp makes this a readwrite transaction (the claim is put in it, after the
        // reads), of relaxed durability: a claim lost to a crash is lost with every tab it served.
        const tx = transaction(names, claim && names.includes('meta') ? 'readwrite' : 'readonly', false, true);
        tx.done.catch(() => undefined);
        const out: Snapshot = {};
        let claiming: Promise<unknown> | undefined;
        await Promise.all(
          names.map(async (n) => {
            const s = tx.objectStore(n);
            if (n !== 'meta') return void (out[n] = (await s.getAll()) as never);
            const [keys, values] = await Promise.all([s.getAllKeys(), s.getAll()]);
            out.meta = new Map(keys.map((k, i) => [k as string, values[i]]));
            const c = claim && claimed(out.meta.get(STAMP_KEY), claim);
            // Made after every read, so a claim that fails (quota, a store that takes no writes) fails only itself.
            if (c) claiming = new Promise((r) => r((s as unknown as IDBPObjectStore<CohortkitDB, StoreName[], 'meta', 'readwrite'>).put(c, STAMP_KEY))).then(() => tx.done);
          }),
        );
        // A claim counts once it is stored (another tab's write after it puts a new stamp). One
        // that could not be: the records are read, but without meta (and its stamp) the caller
        // does not trust them for a compared write; it reads before it writes.
        if (claiming && !(await claiming.then(() => true, () => false))) delete out.meta;
        return out;
      } catch (e) {
        throw storageError(`reading ${names.join(', ')}`, e);
      }
    },
    async destroy() {
      lost = true;
      db?.close();
      await deleteIDB(name);
    },
    close() {
      lost = true;
      db?.close();
    },
  };
}
