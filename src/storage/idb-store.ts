import { deleteDB, openDB, type IDBPDatabase } from 'idb';
import { CohortkitError } from '../errors';
import { DB_VERSION, type CohortkitDB } from './schema';
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
  try {
    db = await withTimeout(
      openDB<CohortkitDB>(name, DB_VERSION, {
        upgrade(database, oldVersion, _newVersion, tx) {
          for (let v = oldVersion + 1; v <= DB_VERSION; v++) MIGRATIONS[v]!(database, tx);
        },
        blocking() {
          // Another tab wants a newer version or to delete the database: step aside.
          db?.close();
          lost = true;
          onLost('versionchange');
        },
        terminated() {
          lost = true;
          onLost('terminated');
        },
      }),
      OPEN_TIMEOUT_MS,
      `opening IndexedDB "${name}"`,
    );
  } catch (e) {
    throw storageError(`opening IndexedDB "${name}"`, e);
  }
  const live = () => {
    if (lost) throw new CohortkitError('storage', `IndexedDB "${name}" was closed by another page`);
    return db!;
  };

  return {
    kind: 'indexeddb',
    async get(store, key) {
      try {
        return (await live().get(store, key as never)) as never;
      } catch (e) {
        throw storageError(`reading ${store}`, e);
      }
    },
    async getAll(store) {
      try {
        return (await live().getAll(store)) as never;
      } catch (e) {
        throw storageError(`reading ${store}`, e);
      }
    },
    async write(ops: WriteOp[]) {
      if (!ops.length) return;
      const names = [...new Set(ops.map((o) => o.store))];
      let tx: ReturnType<DB['transaction']> | undefined;
      try {
        tx = live().transaction(names, 'readwrite');
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
