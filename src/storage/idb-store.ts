import { deleteDB, openDB, type IDBPDatabase, type IDBPObjectStore } from 'idb';
import { CohortkitError } from '../errors';
import { DB_VERSION, type CohortkitDB, type StoreName } from './schema';
import type { Store, WriteOp } from './store';
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
  /** A transaction on our connection; one closed under us (InvalidStateError) counts as lost, so the caller reopens. */
  const transaction = <M extends IDBTransactionMode>(names: StoreName[], mode: M) => {
    try {
      return live().transaction(names, mode);
    } catch (e) {
      if ((e as DOMException)?.name === 'InvalidStateError') {
        lost = true;
        onLost('closed');
      }
      throw e;
    }
  };
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

  return {
    kind: 'indexeddb',
    get: (store, key) => read(store, (s) => s.get(key as never)) as never,
    getAll: (store) => read(store, (s) => s.getAll()) as never,
    async write(ops: WriteOp[]) {
      if (!ops.length) return;
      const names = [...new Set(ops.map((o) => o.store))];
      let tx: ReturnType<DB['transaction']> | undefined;
      try {
        tx = transaction(names, 'readwrite');
        // Each request's failure also fails the transaction; mark them handled as they are made
        // (a synchronous throw below must not leave rejections unhandled), then wait for all.
        const handled = <T>(p: Promise<T>) => (p.catch(() => undefined), p);
        const done = handled(tx.done);
        const pending: Promise<unknown>[] = [];
        for (const op of ops) {
          const s = tx.objectStore(op.store);
          pending.push(
            handled<unknown>(op.type === "clear" ? s.clear!() : op.type === 'delete' ? s.delete!(op.key as never) : s.put!(op.value as never, op.key as never)),
          );
        }
        await Promise.all([...pending, done]);
      } catch (e) {
        // A request that threw synchronously (e.g. quota) must not let the others commit.
        try {
          tx?.abort();
        } catch {
          /* already finished or aborted */
        }
        throw storageError(`writing ${names.join(', ')}`, e);
      }
    },
    async destroy() {
      lost = true;
      db?.close();
      try {
        await withTimeout(deleteDB(name), OPEN_TIMEOUT_MS, `deleting IndexedDB "${name}"`);
      } catch (e) {
        throw storageError(`deleting IndexedDB "${name}"`, e);
      }
    },
    close() {
      lost = true;
      db?.close();
    },
  };
}
